# The SNP launch-measurement calculator (issue #25): firmware parsing, the launch digest, VMSAs, the
# SEV hashes table of a direct boot, and image descriptions.
list(APPEND SNPRELAY_ATTEST_SOURCES
  measure/firmware.cpp
  measure/image.cpp
  measure/launch_digest.cpp
  measure/measure.cpp
  measure/sev_hashes.cpp
  measure/vcpu.cpp
  measure/vmsa.cpp)
