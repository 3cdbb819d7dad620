// Fuzz target: bech32 decoding of untrusted strings (addresses from config, CLI, RPC replies).
// Invariants: a decoded value re-encodes to the lower-cased input; the input was 8..90 characters and
// not mixed case; decode_address accepts only what bech32_decode accepts, with HRP "cosmos" and a 20-
// or 32-byte payload equal to the decoded data; address_hrp agrees with bech32_decode.
#include <cstdint>
#include <string>

#include "chain/keys/bech32.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::chain::keys;
  using snprelay::fuzz::fuzz_check;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto decoded = bech32_decode(text);
  const auto hrp = address_hrp(text);
  fuzz_check(decoded.ok() == hrp.ok(), "address_hrp and bech32_decode disagree on acceptance");
  if (decoded.ok()) {
    fuzz_check(size >= 8 && size <= 90, "bech32_decode accepted a string outside 8..90 characters");
    fuzz_check(*hrp == decoded->hrp, "address_hrp differs from bech32_decode's hrp");
    bool lower = false;
    bool upper = false;
    std::string lowered = text;
    for (char& c : lowered) {
      lower = lower || (c >= 'a' && c <= 'z');
      upper = upper || (c >= 'A' && c <= 'Z');
      if (c >= 'A' && c <= 'Z')
        c = static_cast<char>(c - 'A' + 'a');
    }
    fuzz_check(!(lower && upper), "bech32_decode accepted a mixed-case string");
    const auto again = bech32_encode(decoded->hrp, decoded->data);
    fuzz_check(again.ok() && *again == lowered, "bech32_encode(bech32_decode(x)) != lower(x)");
  }
  const auto address = decode_address(text, "cosmos");
  if (address.ok()) {
    fuzz_check(decoded.ok() && decoded->hrp == "cosmos", "decode_address accepted a non-cosmos string");
    fuzz_check(address->size() == 20 || address->size() == 32,
               "decode_address accepted a payload not 20/32 bytes");
    fuzz_check(*address == decoded->data, "decode_address payload differs from bech32_decode's");
  }
  return 0;
}
