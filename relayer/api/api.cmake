# snprelay_api (relayer/api/): the local HTTP API on Boost.Beast and the Prometheus metrics (issue 13).
# Included from relayer/CMakeLists.txt; paths are relative to relayer/.
# Only http_server.cpp includes Boost.Beast and uses coroutines; the rest is plain C++ that the unit
# tests drive without a socket.
add_snprelay_library(snprelay_api
  SOURCES
    api/health.cpp
    api/http_server.cpp
    api/metrics.cpp
    api/report_source.cpp
    api/routes.cpp
    api/server_config.cpp
    api/server_metrics.cpp
  PUBLIC_DEPS snprelay_app snprelay_common snprelay_config snprelay_attest nlohmann_json::nlohmann_json
  PRIVATE_DEPS Boost::headers OpenSSL::Crypto Threads::Threads)
