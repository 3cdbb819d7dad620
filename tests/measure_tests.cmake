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
