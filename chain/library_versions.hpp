// Versions of the libraries chain/ links (protobuf, libsecp256k1), for `snprelay version`.
// protobuf reports its run-time version; libsecp256k1 has no version call, so its entry is the
// pkg-config version it was built against.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace snprelay::chain {

[[nodiscard]] std::vector<std::pair<std::string, std::string>> linked_library_versions();

}  // namespace snprelay::chain
