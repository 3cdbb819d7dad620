# Tests for relayer/daemon (issue 13): the submission journal and its recovery rules.

# unit: the journal on real SQLite files in private temp directories; the recovery rules as tables.
add_executable(snprelay_daemon_unit_tests unit/daemon/journal_test.cpp unit/daemon/journal_quarantine_test.cpp
  unit/daemon/recovery_test.cpp unit/daemon/operations_test.cpp)
target_include_directories(snprelay_daemon_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_daemon_unit_tests PRIVATE snprelay_daemon SQLite::SQLite3 GTest::gtest_main
  snprelay_warnings)
gtest_discover_tests(snprelay_daemon_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_daemon_unit_tests)
