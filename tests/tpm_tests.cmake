# vTPM tests (issue #6). Integration tests start their own swtpm per test (tests/integration/
# swtpm_fixture.hpp) on unix sockets in a private temp dir; nothing touches /dev/tpm*.
add_executable(snprelay_tpm_integration_tests
  integration/tpm/tpm_wrapper_test.cpp
  integration/tpm/tpm_sealer_test.cpp)
target_link_libraries(snprelay_tpm_integration_tests PRIVATE
  snprelay_attest PkgConfig::TSS2 GTest::gtest_main snprelay_warnings)
gtest_discover_tests(snprelay_tpm_integration_tests DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS integration TIMEOUT 60)

# The CLI tests run `snprelay tpm ...` through the real binary as child processes.
set(_tpm_cli_target snprelay)
add_executable(snprelay_tpm_cli_tests integration/tpm/tpm_cli_test.cpp)
target_link_libraries(snprelay_tpm_cli_tests PRIVATE
  snprelay_attest PkgConfig::TSS2 GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_tpm_cli_tests PRIVATE SNPRELAY_TPM_CLI="$<TARGET_FILE:${_tpm_cli_target}>")
add_dependencies(snprelay_tpm_cli_tests ${_tpm_cli_target})
gtest_discover_tests(snprelay_tpm_cli_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration TIMEOUT 60)

# Unit tier: formats, code mapping and quote verification against software-made quotes (no TPM).
add_executable(snprelay_tpm_unit_tests unit/tpm/tpm_formats_test.cpp)
target_link_libraries(snprelay_tpm_unit_tests PRIVATE snprelay_attest PkgConfig::TSS2 GTest::gtest_main snprelay_warnings)
gtest_discover_tests(snprelay_tpm_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_tpm_unit_tests)

# Key protection (passphrase, tpm, snp-derived) through the real binary: keys add|protect, tx send.
add_executable(snprelay_key_protection_tests integration/keys/key_protection_test.cpp)
target_include_directories(snprelay_key_protection_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_key_protection_tests PRIVATE
  snprelay_chain PkgConfig::TSS2 GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_key_protection_tests PRIVATE SNPRELAY_BIN="$<TARGET_FILE:snprelay>"
                           SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
add_dependencies(snprelay_key_protection_tests snprelay)
gtest_discover_tests(snprelay_key_protection_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration TIMEOUT 120)
