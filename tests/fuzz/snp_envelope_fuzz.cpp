// Fuzz target: the snp-derived sealing envelope parser (attest/sealing/snp_sealer.hpp).
// Any input must decode or yield BAD_ENVELOPE; the format is canonical, so an accepted envelope must
// encode back to exactly the input bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "attest/sealing/snp_sealer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  const std::span<const std::uint8_t> raw(data, size);
  auto env = decode_snp_envelope(raw);
  if (!env.ok()) {
    if (env.error().code != "BAD_ENVELOPE")
      std::abort();
    return 0;
  }
  const auto out = encode_snp_envelope(*env);
  if (!std::equal(out.begin(), out.end(), raw.begin(), raw.end()))
    std::abort();  // round trip broken
  if (!check_sealing_request(env->request).ok())
    std::abort();  // the parser accepted a request seal() would refuse
  (void)field_names(env->request.field_select);
  return 0;
}
