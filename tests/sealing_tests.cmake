# Sealers (common/sealer.hpp): the SNP-derived-key sealer and its envelope against the simulated
# firmware (unit tier), and a fuzz target for the envelope parser. The vTPM sealer's tests need
# swtpm and live in tpm_tests.cmake.
add_executable(snprelay_sealing_tests unit/sealing/snp_sealer_test.cpp)
target_link_libraries(snprelay_sealing_tests PRIVATE snprelay_attest GTest::gtest_main snprelay_warnings)
target_compile_definitions(snprelay_sealing_tests PRIVATE SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
gtest_discover_tests(snprelay_sealing_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_sealing_tests)

add_snprelay_fuzz_target(fuzz_snp_envelope
  SOURCES fuzz/snp_envelope_fuzz.cpp
  DEPS snprelay_attest
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/data/fuzz/snp_envelope)
