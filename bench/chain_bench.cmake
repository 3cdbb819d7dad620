# Benchmarks for the Cosmos client (issue #5).
add_executable(bench_chain chain_tx_sign_bench.cpp)
target_link_libraries(bench_chain PRIVATE snprelay_chain snprelay_bench_support snprelay_warnings)
