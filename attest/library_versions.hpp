// Versions of the libraries attest/ links (OpenSSL, libcurl, tpm2-tss), for `snprelay version`.
// OpenSSL and libcurl report the version actually loaded at run time; tpm2-tss has no run-time version
// call, so its entry is the pkg-config version it was built against.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace snprelay::attest {

[[nodiscard]] std::vector<std::pair<std::string, std::string>> linked_library_versions();

}  // namespace snprelay::attest
