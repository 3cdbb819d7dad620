// Fuzz target: the snp-derived sealing envelope parser (attest/sealing/snp_sealer.hpp).
// Any input must decode or yield BAD_ENVELOPE; the format is canonical, so an accepted envelope must
// encode back to exactly the input bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/sealing/snp_sealer.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  using snprelay::fuzz::fuzz_check;
  const std::span<const std::uint8_t> raw(data, size);
  auto env = decode_snp_envelope(raw);
  if (!env.ok()) {
    fuzz_check(env.error().code == "BAD_ENVELOPE", "an envelope refusal with a code other than BAD_ENVELOPE");
    return 0;
  }
  const auto out = encode_snp_envelope(*env);
  fuzz_check(std::equal(out.begin(), out.end(), raw.begin(), raw.end()), "encode(decode(x)) != x");
  fuzz_check(check_sealing_request(env->request).ok(), "the parser accepted a request seal() would refuse");
  (void)field_names(env->request.field_select);
  return 0;
}
