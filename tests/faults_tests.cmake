# The fault matrix (issue 14): the daemon under injected faults on a devnet of its own; each case records
# what the relayer did, whether anything was lost and how long it took to recover (docs/RELIABILITY.md,
# rendered by scripts/fault-matrix.sh from the JSON lines the cases append to $SNPRELAY_FAULT_REPORT).
# One devnet per binary (devnet_main.cpp), so the binary is ONE ctest test, sharing the devnet lock.
add_executable(snprelay_faults_tests
  integration/onchain/devnet_main.cpp
  integration/faults/rpc_faults_test.cpp
  integration/faults/kds_faults_test.cpp
  integration/faults/storage_faults_test.cpp
  integration/faults/chain_faults_test.cpp
  integration/faults/clock_faults_test.cpp
  integration/faults/tpm_faults_test.cpp
  integration/faults/allowlist_faults_test.cpp)
add_dependencies(snprelay_faults_tests snprelay)
target_include_directories(snprelay_faults_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_faults_tests PRIVATE
  snprelay_chain snprelay_daemon GTest::gtest nlohmann_json::nlohmann_json Threads::Threads snprelay_warnings)
target_compile_definitions(snprelay_faults_tests PRIVATE
  SNPRELAY_BIN="$<TARGET_FILE:snprelay>" SNPATTESTD_BIN="$<TARGET_FILE_DIR:snprelay>/snpattestd")
add_test(NAME faults.matrix COMMAND snprelay_faults_tests)
set_tests_properties(faults.matrix PROPERTIES LABELS integration TIMEOUT 600 RESOURCE_LOCK snprelay_devnet)
