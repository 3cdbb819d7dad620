# Evidence sources (issue #4).
list(APPEND SNPRELAY_ATTEST_SOURCES
  evidence/cert_table.cpp
  evidence/configfs_source.cpp
  evidence/ioctl_source.cpp
  evidence/select_source.cpp)
list(APPEND SNPRELAY_ATTEST_SOURCES
  kds/cert_cache.cpp
  kds/http_fetcher.cpp
  kds/kds_client.cpp
  kds/kds_url.cpp)
list(APPEND SNPRELAY_ATTEST_SOURCES
  sim/amd_cert_mint.cpp
  sim/kds_server.cpp
  sim/kds_store.cpp
  sim/sim_firmware.cpp
  sim/sim_launch.cpp)
