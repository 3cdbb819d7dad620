// Fuzz target: governance-signed allowlist updates (allowlist/codec.hpp, allowlist/verify.hpp).
//
// The fuzz input is [mode][payload...]. Mode (first byte mod 3):
//   0  payload = untrusted bytes, fed to decode_update, decode_updates_response and
//      decode_signers_response. Invariants: an accepted update is canonical (encode_update gives back
//      the input byte for byte) and passes validate_shape; an accepted query response re-encodes to
//      bytes that decode to equal records / an equal signer set.
//   1  payload = xor edits (fuzz_check.hpp) over update_bytes || signature bytes of the shared vector
//      "v1 signed by gov-0 and gov-1" (tests/data/allowlist/allowlist-vectors.json), verified with
//      verify_record against the vectors' signer set (threshold 2) at an empty tip;
//   2  the same over "v2 signed by gov-2 and gov-0", verified at the tip v1.
//   Invariants: the unmutated record is accepted; a record whose update bytes or signature bytes
//   changed is never accepted (the key ids are not edited, so every signature still names its signer).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "allowlist/codec.hpp"
#include "allowlist/verify.hpp"
#include "common/hex.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace snprelay::allowlist;
using snprelay::fuzz::fuzz_check;

struct Vectors {
  std::string chain_id;
  SignerSet signers;
  UpdateRecord v1;
  UpdateRecord v2;
};

snprelay::Bytes hex_field(const nlohmann::json& j) {
  return snprelay::from_hex(j.get<std::string>()).value();
}

UpdateRecord record_named(const nlohmann::json& doc, const std::string& name, std::uint64_t version) {
  for (const auto& c : doc["cases"]) {
    if (c["name"] != name)
      continue;
    UpdateRecord r;
    r.version = version;
    r.update_bytes = hex_field(c["update_bytes"]);
    for (const auto& s : c["signatures"])
      r.signatures.push_back(Signature{s["key_id"].get<std::string>(), hex_field(s["signature"])});
    r.applied_height = 1;
    return r;
  }
  fuzz_check(false, "a named case is missing from allowlist-vectors.json");
  return {};
}

const Vectors& vectors() {
  static const Vectors v = [] {
    const auto bytes = snprelay::fuzz::test_data_file("allowlist/allowlist-vectors.json");
    const auto doc = nlohmann::json::parse(bytes.begin(), bytes.end());
    Vectors out;
    out.chain_id = doc["chain_id"].get<std::string>();
    for (const auto& s : doc["signers"])
      out.signers.signers.push_back(SignerKey{s["key_id"].get<std::string>(), hex_field(s["pubkey"])});
    out.signers.threshold = doc["threshold"].get<std::uint32_t>();
    out.v1 = record_named(doc, "v1 signed by gov-0 and gov-1", 1);
    out.v2 = record_named(doc, "v2 signed by gov-2 and gov-0", 2);
    return out;
  }();
  return v;
}

void check_decoders(std::span<const std::uint8_t> in) {
  const auto update = decode_update(in);
  if (update.ok()) {
    const auto out = encode_update(*update);
    fuzz_check(std::equal(out.begin(), out.end(), in.begin(), in.end()),
               "encode_update(decode_update(x)) != x");
    fuzz_check(validate_shape(*update).ok(), "decode_update accepted an update that validate_shape refuses");
  }
  const auto records = decode_updates_response(in);
  if (records.ok()) {
    const auto again = decode_updates_response(encode_updates_response(*records));
    fuzz_check(again.ok() && *again == *records, "updates response: decode(encode(decode(x))) != decode(x)");
  }
  const auto set = decode_signers_response(in);
  if (set.ok()) {
    const auto again = decode_signers_response(encode_signers_response(*set));
    fuzz_check(again.ok() && *again == *set, "signers response: decode(encode(decode(x))) != decode(x)");
  }
}

void check_mutated(const UpdateRecord& original, const ChainTip& tip, std::span<const std::uint8_t> edits) {
  const Vectors& v = vectors();
  // Flatten update bytes and signatures, edit, split back at the same lengths.
  snprelay::Bytes flat = original.update_bytes;
  for (const auto& s : original.signatures)
    flat.insert(flat.end(), s.signature.begin(), s.signature.end());
  const auto edited = snprelay::fuzz::apply_xor_edits(flat, edits);
  UpdateRecord mutated = original;
  auto at = edited.begin();
  mutated.update_bytes.assign(at, at + static_cast<std::ptrdiff_t>(original.update_bytes.size()));
  at += static_cast<std::ptrdiff_t>(original.update_bytes.size());
  for (auto& s : mutated.signatures) {
    s.signature.assign(at, at + static_cast<std::ptrdiff_t>(s.signature.size()));
    at += static_cast<std::ptrdiff_t>(s.signature.size());
  }
  const VerifyContext context{v.chain_id, tip, &v.signers};
  const auto verified = verify_record(mutated, context);
  if (mutated == original) {
    fuzz_check(verified.ok(), "the unmutated signed allowlist record was refused");
    return;
  }
  fuzz_check(!verified.ok(), "a mutated signed allowlist record was accepted");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::span<const std::uint8_t> payload(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      check_decoders(payload);
      break;
    case 1:
      check_mutated(vectors().v1, ChainTip{}, payload);
      break;
    default: {
      const auto& v1 = vectors().v1;
      check_mutated(vectors().v2, ChainTip{1, update_hash(v1.update_bytes)}, payload);
      break;
    }
  }
  return 0;
}
