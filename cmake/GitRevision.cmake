# Records the git revision of the source tree at configure time, for the JSON records.
find_package(Git QUIET)
set(PARDEMO_GIT_REVISION "unknown")
if(GIT_FOUND AND EXISTS "${CMAKE_SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=12
                  WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
                  OUTPUT_VARIABLE _rev OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _rc ERROR_QUIET)
  if(_rc EQUAL 0 AND _rev)
    set(PARDEMO_GIT_REVISION "${_rev}")
  endif()
endif()
# A build without .git (a container's build context) can be told the revision.
if(DEFINED PARDEMO_GIT_REVISION_OVERRIDE AND NOT PARDEMO_GIT_REVISION_OVERRIDE STREQUAL "")
  set(PARDEMO_GIT_REVISION "${PARDEMO_GIT_REVISION_OVERRIDE}")
endif()
