# pardemo_add_mpi_test(<name> SOURCES <src>... RANKS <n>... [LIBRARIES <lib>...])
#
# Builds one GoogleTest program on the MPI-aware main and registers it once per
# rank count as <name>.<n>ranks. Odd counts catch uneven splits. PROCESSORS is set
# so that `ctest -j` does not start more ranks than the machine has cores.
execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE _pardemo_mpiexec_version ERROR_QUIET)
if(_pardemo_mpiexec_version MATCHES "Open MPI|OpenRTE")
  set(PARDEMO_OPEN_MPI TRUE)
endif()

function(pardemo_add_mpi_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;RANKS;LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE pardemo_mpi_gtest_main ${ARG_LIBRARIES})
  pardemo_set_warnings(${name})
  set(launcher_flags)
  if(PARDEMO_OPEN_MPI)
    # More ranks than cores is the point of some tests; threads need all cores.
    set(launcher_flags --oversubscribe --bind-to none)
  endif()
  foreach(n IN LISTS ARG_RANKS)
    add_test(NAME ${name}.${n}ranks
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${n} ${launcher_flags} ${MPIEXEC_PREFLAGS}
                     $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${name}.${n}ranks PROPERTIES
      PROCESSORS ${n}
      LABELS mpi
      TIMEOUT 300
      ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_pml=ob1")
  endforeach()
endfunction()
