# Tests for the allowlist library (issue #12); see tests/CMakeLists.txt for the helpers.

# unit: codec, signatures, store + verify_db, sync (scripted chain and scripted ChainClient), lookups,
# shared vectors. Private temp SQLite files only.
add_executable(snprelay_allowlist_unit_tests
  unit/allowlist/codec_test.cpp
  unit/allowlist/verify_test.cpp
  unit/allowlist/store_test.cpp
  unit/allowlist/sync_test.cpp
  unit/allowlist/lookup_test.cpp
  unit/allowlist/vectors_test.cpp
  unit/allowlist/signer_set_rule_test.cpp)
target_include_directories(snprelay_allowlist_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_allowlist_unit_tests PRIVATE
  snprelay_allowlist GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_allowlist_unit_tests PRIVATE SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
gtest_discover_tests(snprelay_allowlist_unit_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX allowlist. PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_allowlist_unit_tests)

# The generator of tests/data/allowlist/allowlist-vectors.json (PROVENANCE.md there).
add_executable(allowlist_vector_gen unit/allowlist/vector_gen.cpp)
target_include_directories(allowlist_vector_gen PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(allowlist_vector_gen PRIVATE snprelay_allowlist nlohmann_json::nlohmann_json snprelay_warnings)

# integration: a sync child process killed with SIGKILL mid-sync, then a clean resume.
add_executable(allowlist_sync_child integration/allowlist/sync_child.cpp)
target_include_directories(allowlist_sync_child PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(allowlist_sync_child PRIVATE snprelay_allowlist nlohmann_json::nlohmann_json snprelay_warnings)
add_executable(snprelay_allowlist_integration_tests integration/allowlist/kill_resume_test.cpp)
target_include_directories(snprelay_allowlist_integration_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_allowlist_integration_tests PRIVATE
  snprelay_allowlist GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_allowlist_integration_tests PRIVATE
  ALLOWLIST_SYNC_CHILD="$<TARGET_FILE:allowlist_sync_child>")
add_dependencies(snprelay_allowlist_integration_tests allowlist_sync_child)
gtest_discover_tests(snprelay_allowlist_integration_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX allowlist.
  PROPERTIES LABELS integration TIMEOUT 300)

# integration: `snprelay allowlist ...` through the real binary, offline (bad input, the offline flow).
add_executable(snprelay_allowlist_cli_tests integration/allowlist/cli_test.cpp)
target_include_directories(snprelay_allowlist_cli_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_allowlist_cli_tests PRIVATE
  snprelay_allowlist GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_allowlist_cli_tests PRIVATE SNPRELAY_BIN="$<TARGET_FILE:snprelay>")
add_dependencies(snprelay_allowlist_cli_tests snprelay)
gtest_discover_tests(snprelay_allowlist_cli_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX allowlist.
  PROPERTIES LABELS integration TIMEOUT 300)
