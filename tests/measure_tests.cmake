# The SNP launch-measurement calculator (issue #25).

# unit: firmware parsing and its defects, the launch shape, image descriptions, the simulated firmware's
# launched image; no child process.
add_executable(snprelay_measure_unit_tests
  unit/measure/measure_test.cpp
  unit/measure/image_test.cpp)
target_include_directories(snprelay_measure_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_measure_unit_tests PRIVATE snprelay_attest GTest::gtest_main snprelay_warnings)
target_compile_definitions(snprelay_measure_unit_tests PRIVATE SNPRELAY_TEST_DATA="${CMAKE_CURRENT_SOURCE_DIR}/data")
gtest_discover_tests(snprelay_measure_unit_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX measure. PROPERTIES LABELS unit)
snprelay_unit_tier_add(snprelay_measure_unit_tests)

# integration: the real binary against the real sev-snp-measure (scripts/bootstrap.sh installs it into
# build/measure-venv; without it the agreement tests report themselves skipped), and the CLI: malformed
# input, the allowlist workflow (--add-measured, sign, verify --recompute), `sim launch`.
add_executable(snprelay_measure_integration_tests
  integration/measure/agreement_test.cpp
  integration/measure/cli_test.cpp)
target_include_directories(snprelay_measure_integration_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_measure_integration_tests PRIVATE
  GTest::gtest_main nlohmann_json::nlohmann_json snprelay_warnings)
target_compile_definitions(snprelay_measure_integration_tests PRIVATE
  SNPRELAY_BIN="$<TARGET_FILE:snprelay>"
  SEV_SNP_MEASURE="${CMAKE_BINARY_DIR}/measure-venv/bin/sev-snp-measure")
add_dependencies(snprelay_measure_integration_tests snprelay)
gtest_discover_tests(snprelay_measure_integration_tests DISCOVERY_MODE PRE_TEST TEST_PREFIX measure.
  PROPERTIES LABELS integration TIMEOUT 600 SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")

# integration: from an image description to an attested validator on a real snpattestd devnet (its own
# chain; the devnet lock keeps two chains from competing for the machine).
add_executable(snprelay_measure_devnet_tests integration/measure/devnet_image_test.cpp)
add_dependencies(snprelay_measure_devnet_tests snprelay)
target_include_directories(snprelay_measure_devnet_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(snprelay_measure_devnet_tests PRIVATE
  snprelay_chain GTest::gtest_main nlohmann_json::nlohmann_json Threads::Threads snprelay_warnings)
target_compile_definitions(snprelay_measure_devnet_tests PRIVATE
  SNPRELAY_BIN="$<TARGET_FILE:snprelay>" SNPATTESTD_BIN="$<TARGET_FILE_DIR:snprelay>/snpattestd")
add_test(NAME measure.devnet COMMAND snprelay_measure_devnet_tests)
set_tests_properties(measure.devnet PROPERTIES LABELS integration TIMEOUT 420 RESOURCE_LOCK snprelay_devnet)

# fuzz: the firmware parser and the calculator over firmware tails (tests/fuzz/README.md).
add_snprelay_fuzz_target(fuzz_measure_firmware
  SOURCES fuzz/measure_firmware_fuzz.cpp
  DEPS snprelay_attest
  CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/data/fuzz/measure_firmware)
