# Tests for the chain work; see tests/CMakeLists.txt for the helpers (add_snprelay_fuzz_target, snprelay_unit_tier_add).

# unit: keys, signing vectors, protocol hashes, key store, RPC reply parsing (no network).
add_executable(snprelay_chain_unit_tests
  unit/chain/keys_test.cpp
  unit/chain/sign_direct_test.cpp
  unit/chain/binding_test.cpp
  unit/chain/keystore_test.cpp
  unit/chain/keystore_hostile_test.cpp
  unit/chain/rpc_values_test.cpp
  unit/chain/snpattest_client_test.cpp
  unit/chain/tx_submitter_hook_test.cpp)
target_include_directories(snprelay_chain_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_chain_unit_tests PRIVATE
  snprelay_chain GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_chain_unit_tests PRIVATE SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
gtest_discover_tests(snprelay_chain_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_chain_unit_tests)

# integration: CosmJS conformance on random inputs (Node; pinned deps installed by run.sh with npm ci).
add_executable(chain_attestation_tx_tool conformance/attestation_tx_tool.cpp)
target_link_libraries(chain_attestation_tx_tool PRIVATE snprelay_chain nlohmann_json::nlohmann_json snprelay_warnings)
add_test(NAME chain.cosmjs_conformance
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/conformance/run.sh $<TARGET_FILE:snprelay>
          $<TARGET_FILE:chain_attestation_tx_tool> 40)
set_tests_properties(chain.cosmjs_conformance PROPERTIES LABELS integration TIMEOUT 600)

# integration: the RPC client against scripted CometBFT nodes on loopback sockets, and the real
# `snprelay keys|query|tx` binary against the stateful fake chain (fake_chain.hpp).
add_executable(snprelay_chain_integration_tests
  integration/chain/rpc_client_test.cpp
  integration/chain/chain_cli_test.cpp
  integration/chain/curl_transport_test.cpp)
add_dependencies(snprelay_chain_integration_tests snprelay)
target_include_directories(snprelay_chain_integration_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_chain_integration_tests PRIVATE
  snprelay_chain GTest::gtest_main nlohmann_json::nlohmann_json Threads::Threads snprelay_warnings)
target_compile_definitions(snprelay_chain_integration_tests PRIVATE
  SNPRELAY_BIN="$<TARGET_FILE:snprelay>" SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
gtest_discover_tests(snprelay_chain_integration_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration)

# fuzz: one target per parser of untrusted bytes, replayed over tests/data/fuzz/chain_* in ctest.
add_snprelay_fuzz_target(chain_bech32_fuzz
  SOURCES fuzz/chain_bech32_fuzz.cpp
  DEPS snprelay_chain
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/data/fuzz/chain_bech32)
add_snprelay_fuzz_target(chain_proto_fuzz
  SOURCES fuzz/chain_proto_fuzz.cpp
  DEPS snprelay_chain
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/data/fuzz/chain_proto)
add_snprelay_fuzz_target(chain_rpc_json_fuzz
  SOURCES fuzz/chain_rpc_json_fuzz.cpp
  DEPS snprelay_chain
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/data/fuzz/chain_rpc_json)

# integration: the real snpattestd devnet (issue #10). One devnet per binary (a GoogleTest environment),
# so each binary is ONE ctest test; build/bin/snpattestd comes from onchain/ (scripts/build.sh). The
# tests share the lock "snprelay_devnet" so two chains never compete for the machine at once.
set(SNPRELAY_SNPATTESTD "$<TARGET_FILE_DIR:snprelay>/snpattestd")
add_executable(snprelay_onchain_devnet_tests
  integration/onchain/devnet_main.cpp
  integration/onchain/devnet_attest_test.cpp
  integration/onchain/devnet_client_test.cpp
  integration/onchain/devnet_cli_test.cpp
  integration/onchain/devnet_allowlist_test.cpp
  integration/onchain/devnet_epoch_runner_test.cpp
  integration/onchain/devnet_daemon_test.cpp
  integration/onchain/devnet_crash_test.cpp
  integration/onchain/devnet_init_test.cpp
  integration/onchain/devnet_doctor_test.cpp)
# The daemon's acceptance runs change the chain's allowlist (a revocation), so they get a devnet of their own.
add_executable(snprelay_onchain_daemon_tests
  integration/onchain/devnet_main.cpp
  integration/onchain/daemon_acceptance_test.cpp)
add_executable(snprelay_onchain_localnet_tests integration/onchain/localnet_test.cpp)
foreach(_t snprelay_onchain_devnet_tests snprelay_onchain_daemon_tests snprelay_onchain_localnet_tests)
  add_dependencies(${_t} snprelay)
  target_include_directories(${_t} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${_t} PRIVATE
    snprelay_chain GTest::gtest nlohmann_json::nlohmann_json Threads::Threads snprelay_warnings)
  target_compile_definitions(${_t} PRIVATE
    SNPRELAY_BIN="$<TARGET_FILE:snprelay>" SNPATTESTD_BIN="${SNPRELAY_SNPATTESTD}")
endforeach()
target_link_libraries(snprelay_onchain_devnet_tests PRIVATE snprelay_daemon)  # the epoch runner test
# The acceptance run checks packaging/monitoring's rules and dashboard against a live scrape.
target_compile_definitions(snprelay_onchain_daemon_tests PRIVATE SNPRELAY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME onchain.devnet COMMAND snprelay_onchain_devnet_tests)
add_test(NAME onchain.daemon COMMAND snprelay_onchain_daemon_tests)
add_test(NAME onchain.localnet COMMAND snprelay_onchain_localnet_tests)
set_tests_properties(onchain.devnet onchain.daemon onchain.localnet PROPERTIES
  LABELS integration TIMEOUT 420 RESOURCE_LOCK snprelay_devnet)

# integration: CosmJS (pinned @cosmjs/stargate) against a devnet it starts itself.
add_test(NAME onchain.cosmjs
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/conformance/devnet.sh ${SNPRELAY_SNPATTESTD} $<TARGET_FILE:snprelay>)
set_tests_properties(onchain.cosmjs PROPERTIES LABELS integration TIMEOUT 240 RESOURCE_LOCK snprelay_devnet)
# integration: CosmJS sends address aliases and a duplicate-pubkey signer set to a real devnet (issue 20).
add_test(NAME onchain.cosmjs_issue20
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/onchain/cosmjs.sh cosmjs_issue20.js ${SNPRELAY_SNPATTESTD} $<TARGET_FILE:snprelay>)
set_tests_properties(onchain.cosmjs_issue20 PROPERTIES LABELS integration TIMEOUT 240 RESOURCE_LOCK snprelay_devnet)
# integration: REST routes (API server on loopback) and the Tendermint RPC give the same answers, with
# a relayer attesting (issue 23 point 5).
add_test(NAME onchain.cosmjs_issue23
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/onchain/cosmjs.sh cosmjs_issue23.js ${SNPRELAY_SNPATTESTD} $<TARGET_FILE:snprelay>)
set_tests_properties(onchain.cosmjs_issue23 PROPERTIES LABELS integration TIMEOUT 240 RESOURCE_LOCK snprelay_devnet)
# integration: enforcement "jail" on a 3-validator localnet — the validator without a relayer is jailed,
# the others are not, blocks continue; its relayer returns, attests, MsgUnjail sticks (issue 23 point 4).
add_test(NAME onchain.cosmjs_issue23_jail
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/onchain/cosmjs.sh cosmjs_issue23_jail.js ${SNPRELAY_SNPATTESTD} $<TARGET_FILE:snprelay>)
set_tests_properties(onchain.cosmjs_issue23_jail PROPERTIES LABELS integration TIMEOUT 300 RESOURCE_LOCK snprelay_devnet)
