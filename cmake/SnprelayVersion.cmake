# Build identity for `snprelay version`: the git commit (if any) and the
# configure-time versions of libraries that have no run-time version call.
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  OUTPUT_VARIABLE SNPRELAY_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET RESULT_VARIABLE _git_rc)
if(NOT _git_rc EQUAL 0 OR SNPRELAY_GIT_COMMIT STREQUAL "")
  set(SNPRELAY_GIT_COMMIT "unknown")
endif()
set(SNPRELAY_SECP256K1_VERSION "${SECP256K1_VERSION}")
set(SNPRELAY_TSS2_VERSION "${TSS2_tss2-esys_VERSION}")
# Re-run configure when HEAD moves, so the embedded commit follows new commits.
if(EXISTS ${PROJECT_SOURCE_DIR}/.git/logs/HEAD)
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/.git/logs/HEAD)
endif()
