# vTPM latency on a private swtpm (issue #6): tpm_seal, tpm_unseal, tpm_quote, and opening a stored key
# in each protection mode (key_unlock_passphrase, key_unlock_tpm, key_unlock_snp_simulated).
add_executable(bench_tpm tpm_bench.cpp)
target_link_libraries(bench_tpm PRIVATE snprelay_attest snprelay_chain snprelay_bench_support snprelay_warnings)
