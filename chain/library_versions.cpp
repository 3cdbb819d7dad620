#include "chain/library_versions.hpp"

#include <google/protobuf/stubs/common.h>
#include <secp256k1.h>

namespace snprelay::chain {

std::vector<std::pair<std::string, std::string>> linked_library_versions() {
  // Creating (and destroying) a context proves libsecp256k1 is linked and working.
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  const bool secp_ok = ctx != nullptr;
  if (secp_ok)
    secp256k1_context_destroy(ctx);
  return {
      {"protobuf", google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION)},
      {"libsecp256k1", secp_ok ? SNPRELAY_SECP256K1_VERSION : "not working"},
  };
}

}  // namespace snprelay::chain
