# Evidence sources (issue #4): certificate table, /dev/sev-guest ioctl backend (through the DeviceIo
# seam), configfs-tsm backend (against an emulated attribute tree in a temp dir).
add_executable(snprelay_evidence_tests
  unit/evidence/cert_table_test.cpp
  unit/evidence/configfs_source_test.cpp
  unit/evidence/ioctl_source_test.cpp)
target_link_libraries(snprelay_evidence_tests PRIVATE snprelay_attest GTest::gtest_main snprelay_warnings)
gtest_discover_tests(snprelay_evidence_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_evidence_tests)
target_sources(snprelay_evidence_tests PRIVATE
  unit/evidence/cert_cache_test.cpp
  unit/evidence/kds_store_test.cpp
  unit/evidence/kds_url_test.cpp
  unit/evidence/select_source_test.cpp)

add_executable(snprelay_evidence_integration_tests
  integration/evidence/http_fetcher_test.cpp
  integration/evidence/kds_client_test.cpp
  integration/evidence/kds_server_test.cpp
  integration/evidence/sim_firmware_test.cpp)
target_link_libraries(snprelay_evidence_integration_tests PRIVATE snprelay_attest GTest::gtest_main snprelay_warnings)
gtest_discover_tests(snprelay_evidence_integration_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration)
target_compile_definitions(snprelay_evidence_integration_tests PRIVATE SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")

# The evidence commands through the real binary.
add_executable(snprelay_evidence_cli_tests integration/evidence/cli_fetch_test.cpp integration/evidence/cli_loop_test.cpp)
target_link_libraries(snprelay_evidence_cli_tests PRIVATE snprelay_attest GTest::gtest_main nlohmann_json::nlohmann_json
                      snprelay_warnings)
target_compile_definitions(snprelay_evidence_cli_tests PRIVATE SNPRELAY_BIN="$<TARGET_FILE:snprelay>"
                           SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
add_dependencies(snprelay_evidence_cli_tests snprelay)
gtest_discover_tests(snprelay_evidence_cli_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration)
