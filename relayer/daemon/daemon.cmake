# snprelay_daemon (relayer/daemon/): the submission journal and the epoch loop (issue 13).
# Included from relayer/CMakeLists.txt; paths are relative to relayer/.
