# Tests for relayer/app (issue 11): unit tests without the binary, and the CLI's hostile-input
# regressions through the real binary.

# unit: the operations layer in-process (private temp files and the simulated firmware only).
add_executable(snprelay_app_unit_tests unit/app/app_test.cpp unit/app/allowlist_files_test.cpp
  unit/app/self_check_test.cpp unit/app/init_config_test.cpp unit/app/doctor_test.cpp)
target_include_directories(snprelay_app_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_app_unit_tests PRIVATE
  snprelay_app GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
gtest_discover_tests(snprelay_app_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_app_unit_tests)

# integration: hostile and careless inputs against build/bin/snprelay (each case named after itself).
add_executable(snprelay_hostile_cli_tests integration/hostile/hostile_cli_test.cpp
  integration/hostile/issue21_cli_test.cpp integration/hostile/issue21_daemon_test.cpp)
target_include_directories(snprelay_hostile_cli_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_hostile_cli_tests PRIVATE
  GTest::gtest_main nlohmann_json::nlohmann_json SQLite::SQLite3 snprelay_warnings)
target_compile_definitions(snprelay_hostile_cli_tests PRIVATE SNPRELAY_BIN="$<TARGET_FILE:snprelay>")
add_dependencies(snprelay_hostile_cli_tests snprelay)
gtest_discover_tests(snprelay_hostile_cli_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration)
