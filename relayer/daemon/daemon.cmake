# snprelay_daemon (relayer/daemon/): the submission journal and its recovery rules, the epoch runner,
# later the epoch loop (issue 13). Included from relayer/CMakeLists.txt; paths are relative to relayer/.
add_snprelay_library(snprelay_daemon
  SOURCES
    daemon/epoch_runner.cpp
    daemon/journal.cpp
    daemon/recovery.cpp
  PUBLIC_DEPS snprelay_common snprelay_db snprelay_chain snprelay_app
  PRIVATE_DEPS nlohmann_json::nlohmann_json)
