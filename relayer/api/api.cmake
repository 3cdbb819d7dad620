# snprelay_api (relayer/api/): the local HTTP API on Boost.Beast and the Prometheus metrics (issue 13).
# Included from relayer/CMakeLists.txt; paths are relative to relayer/.
