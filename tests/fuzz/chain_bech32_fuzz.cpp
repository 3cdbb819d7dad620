// Fuzz target: bech32 decoding of untrusted strings (addresses from config, CLI, RPC replies).
// Any input yields a value or an Error; a decoded value must re-encode to the lower-cased input.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "chain/keys/bech32.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto decoded = snprelay::chain::keys::bech32_decode(text);
  if (decoded.ok()) {
    auto again = snprelay::chain::keys::bech32_encode(decoded->hrp, decoded->data);
    std::string lower = text;
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z')
        c = static_cast<char>(c - 'A' + 'a');
    if (!again.ok() || *again != lower)
      std::abort();
  }
  (void)snprelay::chain::keys::decode_address(text, "cosmos");
  return 0;
}
