# Benchmarks for the verification core (issue #3): verify_full, verify_cached_chain.
add_executable(bench_attest attest_verify_bench.cpp)
target_link_libraries(bench_attest PRIVATE snprelay_attest snprelay_bench_support snprelay_warnings)
target_compile_definitions(bench_attest PRIVATE SNPRELAY_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data")
