# Sealing: the SNP-derived-key sealer and its envelope, and the shared HKDF helper.
list(APPEND SNPRELAY_ATTEST_SOURCES
  sealing/hkdf.cpp
  sealing/snp_sealer.cpp)
