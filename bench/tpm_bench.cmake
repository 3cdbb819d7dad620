# vTPM latency on a private swtpm (issue #6): tpm_seal, tpm_unseal, tpm_quote.
add_executable(bench_tpm tpm_bench.cpp)
target_link_libraries(bench_tpm PRIVATE snprelay_attest snprelay_bench_support snprelay_warnings)
