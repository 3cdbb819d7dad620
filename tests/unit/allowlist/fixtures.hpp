// Shared fixtures of the allowlist tests: fixed governance keys, update builders that really sign, a
// scripted UpdateSource, and the generator of tests/data/allowlist/allowlist-vectors.json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "allowlist/codec.hpp"
#include "allowlist/sync.hpp"
#include "allowlist/verify.hpp"
#include "chain/crypto/secp256k1.hpp"
#include "common/hex.hpp"
#include "common/secret.hpp"

namespace snprelay::allowlist::testing {

inline constexpr const char* kChainId = "snp-devnet-1";

// Governance key i (0, 1, 2): private key = 32 bytes of 0x11 * (i + 1), key id "gov-<i>".
inline SecretBytes gov_private(int i) {
  return SecretBytes(std::span<const std::uint8_t>(Bytes(32, static_cast<std::uint8_t>(0x11 * (i + 1)))));
}
inline std::string gov_id(int i) {
  return "gov-" + std::to_string(i);
}

inline SignerKey gov_key(int i) {
  auto pub = chain::crypto::public_key_of(gov_private(i));
  return SignerKey{gov_id(i), Bytes(pub->begin(), pub->end())};
}

// The three governance keys, threshold 2 (the devnet's shape).
inline SignerSet gov_set(std::uint32_t threshold = 2) {
  return SignerSet{{gov_key(0), gov_key(1), gov_key(2)}, threshold};
}

inline Bytes measurement(std::uint8_t fill) {
  return Bytes(kMeasurementSize, fill);
}

inline Entry entry(std::uint8_t fill, std::string label = "image") {
  Entry e;
  e.measurement = measurement(fill);
  e.label = std::move(label);
  return e;
}

// A well-formed update of `version` following the update whose bytes are `prev` (empty: version 1).
inline Update update(std::uint64_t version, const Bytes& prev, std::vector<Entry> add = {},
                     std::vector<Bytes> revoke = {}) {
  Update u;
  u.chain_id = kChainId;
  u.version = version;
  if (prev.empty()) {
    u.prev_hash = Bytes(kHashSize, 0);
  } else {
    const auto h = update_hash(prev);
    u.prev_hash.assign(h.begin(), h.end());
  }
  u.add = std::move(add);
  u.revoke = std::move(revoke);
  return u;
}

inline Signature sign(const Bytes& update_bytes, int key) {
  auto s = sign_update(update_bytes, gov_id(key), gov_private(key));
  return *s;
}

// A record of `u` signed by `keys`, applied at `height`.
inline UpdateRecord record(const Update& u, const std::vector<int>& keys = {0, 1}, std::int64_t height = 10) {
  UpdateRecord r;
  r.version = u.version;
  r.update_bytes = encode_update(u);
  for (int k : keys)
    r.signatures.push_back(sign(r.update_bytes, k));
  r.applied_height = height;
  return r;
}

// A chain of `n` updates: version v adds measurement fill v (and revokes fill v-1 every third version).
inline std::vector<UpdateRecord> chain_of(std::uint64_t n, std::size_t entries_per_update = 1) {
  std::vector<UpdateRecord> out;
  Bytes prev;
  for (std::uint64_t v = 1; v <= n; ++v) {
    std::vector<Entry> add;
    for (std::size_t j = 0; j < entries_per_update; ++j) {
      Entry e = entry(static_cast<std::uint8_t>(v), "v" + std::to_string(v));
      e.measurement[1] = static_cast<std::uint8_t>(j);
      e.measurement[2] = static_cast<std::uint8_t>(j >> 8);
      e.measurement[3] = static_cast<std::uint8_t>(v >> 8);
      add.push_back(std::move(e));
    }
    std::vector<Bytes> revoke;
    if (v % 3 == 0)
      revoke.push_back(out.empty() ? Bytes{}
                                   : decode_update(out.back().update_bytes)->add.front().measurement);
    auto r =
        record(update(v, prev, std::move(add), std::move(revoke)), {0, 1}, static_cast<std::int64_t>(10 * v));
    prev = r.update_bytes;
    out.push_back(std::move(r));
  }
  return out;
}

// s -> n - s on a 64-byte compact signature: the high-S twin of a valid signature.
inline Bytes high_s(const Bytes& sig) {
  static const Bytes kOrder = *from_hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  Bytes out = sig;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kOrder[static_cast<std::size_t>(i)] - sig[32 + static_cast<std::size_t>(i)] - borrow;
    borrow = d < 0 ? 1 : 0;
    out[32 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}

// A scripted chain: serves `records` (as a node would: version >= from, up to limit) and a signer set.
class ScriptedSource final : public UpdateSource {
 public:
  std::vector<UpdateRecord> records;
  std::optional<SignerSet> chain_signers;
  int calls = 0;
  int fail_after_calls = -1;  // >= 0: the call with that index returns an unavailable error

  Result<std::vector<UpdateRecord>> updates(std::uint64_t from, std::uint32_t limit) override {
    if (fail_after_calls >= 0 && calls++ >= fail_after_calls)
      return make_error("rpc", "ALL_ENDPOINTS_FAILED", "scripted outage", ErrorKind::kUnavailable);
    std::vector<UpdateRecord> out;
    for (const auto& r : records) {
      if (r.version >= from && out.size() < limit)
        out.push_back(r);
    }
    return out;
  }
  Result<std::optional<SignerSet>> signers() override { return chain_signers; }
};

// The C++ side of the shared vectors (tests/data/allowlist/allowlist-vectors.json): two chained updates
// signed by 2 of 3 governance keys, plus refusal cases. Deterministic (RFC 6979), so the file in
// tests/data must equal this output byte for byte; allowlist_vector_gen writes it.
inline nlohmann::json make_vectors() {
  using nlohmann::json;
  json doc;
  doc["about"] =
      "allowlist update bytes, digests and signatures produced by the C++ library (allowlist/, "
      "tests/unit/allowlist/fixtures.hpp make_vectors); checked by onchain/x/snpattest/types/"
      "allowlist_cpp_vectors_test.go and tests/unit/allowlist/vectors_test.cpp";
  json signers = json::array();
  for (const auto& k : gov_set().signers)
    signers.push_back({{"key_id", k.key_id}, {"pubkey", to_hex(k.pubkey)}});
  doc["chain_id"] = kChainId;
  doc["signers"] = signers;
  doc["threshold"] = 2;

  Entry a = entry(0xa1, "image A");
  a.min_guest_svn = 3;
  a.policy_mask = 0x0000000000080000ULL;
  a.policy_value = 0;
  a.family_id = Bytes(kFamilyIdSize, 0xf1);
  a.image_id = Bytes(kImageIdSize, 0xe1);
  a.host_data = Bytes(kHostDataSize, 0xd1);
  a.expiry_height = 100000;
  Update u1 = update(1, {}, {a, entry(0xb2, "image B")});
  u1.min_tcb.push_back({"Milan", 3, 0, 20, 209, 0});
  u1.min_tcb.push_back({"Turin", 1, 0, 1, 1, 1});
  u1.memo = "first allowlist";
  const Bytes b1 = encode_update(u1);
  Update u2 = update(2, b1, {entry(0xc3, "image C")}, {measurement(0xb2)});
  u2.valid_until_height = 5000;
  const Bytes b2 = encode_update(u2);

  auto sig_json = [](const Signature& s) {
    return json{{"key_id", s.key_id}, {"signature", to_hex(s.signature)}};
  };
  auto item = [&](const std::string& name, const Bytes& bytes, const std::vector<Signature>& sigs,
                  const std::string& expect) {
    json sj = json::array();
    for (const auto& s : sigs)
      sj.push_back(sig_json(s));
    const auto d = signing_digest(bytes);
    const auto h = update_hash(bytes);
    return json{{"name", name},        {"update_bytes", to_hex(bytes)},
                {"digest", to_hex(d)}, {"update_sha256", to_hex(h)},
                {"signatures", sj},    {"expect", expect}};
  };
  json cases = json::array();
  cases.push_back(item("v1 signed by gov-0 and gov-1", b1, {sign(b1, 0), sign(b1, 1)}, "ok"));
  cases.push_back(item("v2 signed by gov-2 and gov-0", b2, {sign(b2, 2), sign(b2, 0)}, "ok"));
  cases.push_back(item("v2 one signature", b2, {sign(b2, 1)}, "below_threshold"));
  cases.push_back(item("v2 the same signer twice", b2, {sign(b2, 1), sign(b2, 1)}, "below_threshold"));
  Signature hs = sign(b2, 0);
  hs.signature = high_s(hs.signature);
  cases.push_back(item("v2 high-S twin", b2, {hs, sign(b2, 1)}, "below_threshold"));
  Signature forged = sign(b1, 0);  // a valid signature, over other bytes
  cases.push_back(item("v2 gov-0 signature of v1", b2, {forged, sign(b2, 1)}, "below_threshold"));
  Signature stranger = sign(b2, 0);
  stranger.key_id = "stranger";
  cases.push_back(item("v2 unknown key id", b2, {stranger, sign(b2, 1), sign(b2, 2)}, "unauthorized"));
  Bytes trailing = b2;
  trailing.push_back(0);
  cases.push_back(item("trailing byte", trailing, {}, "malformed"));
  Bytes unknown = b2;
  for (std::uint8_t b : {0x48, 0x01})  // field 9, varint 1: unknown to AllowlistUpdate
    unknown.push_back(b);
  cases.push_back(item("unknown field 9", unknown, {}, "malformed"));
  doc["cases"] = cases;
  return doc;
}

}  // namespace snprelay::allowlist::testing
