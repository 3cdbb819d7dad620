# Differential agreement between attest/ (C++) and onchain/x/snpattest/verify (Go, go-sev-guest):
# one corpus, tests/data/agreement/ (README.md there), read by this test and by `go test`.

# The corpus generator; run by hand, its output is committed:
#   build/bin/agreement_corpus_gen tests/data/agreement
add_executable(agreement_corpus_gen tools/agreement_corpus_gen.cpp)
target_link_libraries(agreement_corpus_gen PRIVATE snprelay_attest nlohmann_json::nlohmann_json snprelay_warnings)

add_executable(snprelay_agreement_tests unit/agreement/agreement_test.cpp
  unit/agreement/self_check_agreement_test.cpp)
target_include_directories(snprelay_agreement_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_agreement_tests PRIVATE
  snprelay_attest snprelay_app GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_agreement_tests PRIVATE SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
gtest_discover_tests(snprelay_agreement_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX "agreement." PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_agreement_tests)
