# Verification core sources (issue #3): report ABI, TCB, certificates, pinned AMD roots, verification.
list(APPEND SNPRELAY_ATTEST_SOURCES
  ossl.cpp
  report.cpp
  certs.cpp
  amd_roots.cpp
  amd_roots_pem.cpp
  chain.cpp
  verdict.cpp
  verify.cpp)
