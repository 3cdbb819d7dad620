# snprelay_daemon (relayer/daemon/, issue 13): the submission journal and its recovery rules, the epoch
# runner and the daemon (its loop in daemon_loop.cpp, the only coroutine file here).
# Included from relayer/CMakeLists.txt; paths are relative to relayer/.
add_snprelay_library(snprelay_daemon
  SOURCES
    daemon/daemon.cpp
    daemon/daemon_loop.cpp
    daemon/epoch_runner.cpp
    daemon/journal.cpp
    daemon/preflight.cpp
    daemon/recovery.cpp
  PUBLIC_DEPS snprelay_common snprelay_db snprelay_chain snprelay_app snprelay_api
  PRIVATE_DEPS nlohmann_json::nlohmann_json Boost::headers Threads::Threads)
