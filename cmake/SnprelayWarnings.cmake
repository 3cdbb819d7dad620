# Warnings as errors on our own code only: every snprelay target links this
# INTERFACE target; third-party headers come in as SYSTEM includes.
add_library(snprelay_warnings INTERFACE)
target_compile_options(snprelay_warnings INTERFACE
  -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough
  # GCC 12 at -O3 reports impossible memcpy overlaps inside std::string's operator+ (GCC bug 105329);
  # -Wrestrict is silenced for GCC 12 only.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)

# add_snprelay_library(NAME SOURCES ... DEPS ...): one library per component.
function(add_snprelay_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE snprelay_warnings ${ARG_PRIVATE_DEPS})
endfunction()
