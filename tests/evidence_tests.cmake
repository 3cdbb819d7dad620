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
  unit/evidence/kds_url_test.cpp)

add_executable(snprelay_evidence_integration_tests
  integration/evidence/http_fetcher_test.cpp)
target_link_libraries(snprelay_evidence_integration_tests PRIVATE snprelay_attest GTest::gtest_main snprelay_warnings)
gtest_discover_tests(snprelay_evidence_integration_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration)
