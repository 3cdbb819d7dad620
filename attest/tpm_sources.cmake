# vTPM wrapper sources (issue #6): seal/unseal/quote over tpm2-tss ESYS, quote verification.
list(APPEND SNPRELAY_ATTEST_SOURCES
  tpm/pcr.cpp
  tpm/quote.cpp
  tpm/quote_tpm.cpp
  tpm/seal.cpp
  tpm/sealed_blob.cpp
  tpm/tpm.cpp
  tpm/tpm_error.cpp
  tpm/tpm_sealer.cpp)
