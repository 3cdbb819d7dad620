# Evidence sources (issue #4).
list(APPEND SNPRELAY_ATTEST_SOURCES
  evidence/cert_table.cpp
  evidence/configfs_source.cpp
  evidence/ioctl_source.cpp)
list(APPEND SNPRELAY_ATTEST_SOURCES
  kds/cert_cache.cpp
  kds/http_fetcher.cpp
  kds/kds_url.cpp)
