# Tests for the attest work; see tests/CMakeLists.txt for the helpers (add_snprelay_fuzz_target, snprelay_unit_tier_add).

# Verification core (issue #3): report ABI, certificates, pinned roots, verification.
add_executable(snprelay_attest_unit_tests
  unit/attest/report_test.cpp
  unit/attest/certs_test.cpp
  unit/attest/verify_test.cpp)
target_link_libraries(snprelay_attest_unit_tests PRIVATE snprelay_attest GTest::gtest_main snprelay_warnings)
target_compile_definitions(snprelay_attest_unit_tests PRIVATE SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
gtest_discover_tests(snprelay_attest_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_attest_unit_tests)

# Fuzz targets of the verification core, each replayed over tests/data/fuzz/attest_*/ in ctest.
foreach(_attest_fuzz report cert crl verify)
  add_snprelay_fuzz_target(fuzz_attest_${_attest_fuzz}
    SOURCES fuzz/attest_${_attest_fuzz}_fuzz.cpp
    DEPS snprelay_attest
    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/data/fuzz/attest_${_attest_fuzz})
endforeach()

# Integration: the real binary's `report show` and `verify` commands.
add_executable(snprelay_attest_integration_tests integration/attest/attest_cli_test.cpp)
target_include_directories(snprelay_attest_integration_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration)
target_link_libraries(snprelay_attest_integration_tests PRIVATE
  GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_attest_integration_tests PRIVATE
  SNPRELAY_BIN="$<TARGET_FILE:snprelay>"
  SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
add_dependencies(snprelay_attest_integration_tests snprelay)
gtest_discover_tests(snprelay_attest_integration_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration)
