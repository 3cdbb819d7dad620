# -DSNPRELAY_SANITIZE=address,undefined instruments everything built here.
if(SNPRELAY_SANITIZE)
  string(REPLACE "," ";" _sanitizers "${SNPRELAY_SANITIZE}")
  foreach(s IN LISTS _sanitizers)
    if(NOT s MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "SNPRELAY_SANITIZE: unknown sanitizer '${s}'")
    endif()
  endforeach()
  set(_flag "-fsanitize=${SNPRELAY_SANITIZE}")
  add_compile_options(${_flag} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(${_flag})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND "undefined" IN_LIST _sanitizers)
    add_compile_options(-fno-sanitize=function)  # clang 14 cannot emit it for C++20 coroutines
  endif()
endif()
if(SNPRELAY_FUZZ)
  # Coverage instrumentation for every library, not only the fuzz harness that links -fsanitize=fuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
