# pardemo_set_warnings(<target>): the warning set every pardemo target is built with.
function(pardemo_set_warnings target)
  set(warnings
      -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
      -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
      -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough -Wmisleading-indentation
      -Wduplicated-cond -Wduplicated-branches -Wlogical-op -Wuseless-cast)
  if(PARDEMO_WARNINGS_AS_ERRORS)
    list(APPEND warnings -Werror)
  endif()
  target_compile_options(${target} PRIVATE ${warnings})
  if(PARDEMO_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
endfunction()
