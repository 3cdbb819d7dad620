// Threshold signatures and version chaining of allowlist updates (see verify.hpp).
#include "allowlist/verify.hpp"

#include <secp256k1.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "allowlist/codec.hpp"
#include "chain/crypto/secp256k1.hpp"

namespace snprelay::allowlist {
namespace {

Error rejected(const char* code, std::string message) {
  return make_error("allowlist", code, std::move(message), ErrorKind::kRejected);
}

}  // namespace

std::optional<SignerSetProblem> signer_set_problem(const SignerSet& set) {
  auto problem = [](const char* code, std::string m) {
    return std::optional<SignerSetProblem>(SignerSetProblem{code, std::move(m)});
  };
  if (set.signers.empty())
    return problem("EMPTY", "the signer set has no signers");
  if (set.threshold < 1 || set.threshold > set.signers.size())
    return problem("BAD_THRESHOLD", "threshold " + std::to_string(set.threshold) + " must be in [1, " +
                                        std::to_string(set.signers.size()) + " signers]");
  std::set<std::string> ids;
  // Keyed by the fixed-size key, not Bytes: GCC 12 at -O3 fails the Release build with a false
  // -Wstringop-overread inside std::map<std::vector<uint8_t>, ...>'s memcmp.
  std::map<std::array<std::uint8_t, kPubKeySize>, std::string> pubkeys;
  for (std::size_t i = 0; i < set.signers.size(); ++i) {
    const auto& s = set.signers[i];
    const std::string at = "signers[" + std::to_string(i) + "]";
    if (s.key_id.empty())
      return problem("EMPTY_KEY_ID", at + ": empty key_id");
    if (!ids.insert(s.key_id).second)
      return problem("DUPLICATE_KEY_ID", at + ": key_id \"" + s.key_id + "\" repeated");
    if (s.pubkey.size() != kPubKeySize || (s.pubkey[0] != 2 && s.pubkey[0] != 3))
      return problem("NOT_COMPRESSED",
                     at + " (" + s.key_id +
                         "): pubkey must be a 33-byte compressed secp256k1 key (02/03...), got " +
                         std::to_string(s.pubkey.size()) + " bytes");
    secp256k1_pubkey point;
    if (secp256k1_ec_pubkey_parse(secp256k1_context_static, &point, s.pubkey.data(), s.pubkey.size()) != 1)
      return problem("NOT_ON_CURVE", at + " (" + s.key_id + "): pubkey is not a curve point");
    // One key under two ids would let one signer count twice towards the threshold.
    std::array<std::uint8_t, kPubKeySize> key{};
    std::copy(s.pubkey.begin(), s.pubkey.end(), key.begin());  // size checked above
    if (const auto [it, fresh] = pubkeys.emplace(key, s.key_id); !fresh)
      return problem("DUPLICATE_PUBKEY", at + " (" + s.key_id + "): the same pubkey is already listed as \"" +
                                             it->second + "\"; one key counts once");
  }
  return std::nullopt;
}

Status validate_signer_set(const SignerSet& set) {
  if (auto p = signer_set_problem(set))
    return make_error("allowlist", "BAD_SIGNER_SET", p->code + ": " + p->message, ErrorKind::kInput);
  return ok_status();
}

std::optional<std::string> signed_by_other(std::span<const std::uint8_t> update_bytes, const Signature& sig,
                                           const SignerSet& set) {
  if (sig.signature.size() != kSignatureSize)
    return std::nullopt;
  const auto digest = signing_digest(update_bytes);
  for (const auto& k : set.signers) {
    if (k.key_id != sig.key_id && chain::crypto::verify_digest(k.pubkey, digest, sig.signature))
      return k.key_id;
  }
  return std::nullopt;
}

Result<std::vector<std::string>> check_signatures(std::span<const std::uint8_t> update_bytes,
                                                  const std::vector<Signature>& signatures,
                                                  const SignerSet& set) {
  std::map<std::string, const Bytes*> keys;
  for (const auto& s : set.signers)
    keys.emplace(s.key_id, &s.pubkey);
  const auto digest = signing_digest(update_bytes);
  std::vector<std::string> valid;
  std::set<std::string> counted;
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const auto& s = signatures[i];
    const auto key = keys.find(s.key_id);
    if (key == keys.end())
      return rejected("UNKNOWN_SIGNER", "signatures[" + std::to_string(i) + "]: key id \"" + s.key_id +
                                            "\" is not in the allowlist signer set");
    if (counted.contains(s.key_id)) {
      notes.push_back("key id " + s.key_id + " signed more than once (counted once)");
      continue;
    }
    if (s.signature.size() != kSignatureSize ||
        !chain::crypto::verify_digest(*key->second, digest, s.signature)) {
      const auto other = signed_by_other(update_bytes, s, set);
      notes.push_back(other ? "signature labelled " + s.key_id + " was made by " + *other +
                                  "'s key (relabelled: not counted)"
                            : "signature of key id " + s.key_id +
                                  " does not verify (64-byte low-S compact required)");
      continue;
    }
    counted.insert(s.key_id);
    valid.push_back(s.key_id);
  }
  if (set.threshold == 0 || valid.size() < set.threshold) {
    std::string msg =
        std::to_string(valid.size()) + " of " + std::to_string(set.threshold) + " required signatures";
    if (set.threshold == 0)
      msg += " (no allowlist signer set)";
    for (std::size_t i = 0; i < notes.size(); ++i)
      msg += (i == 0 ? ": " : "; ") + notes[i];
    return rejected("BELOW_THRESHOLD", msg);
  }
  return valid;
}

Result<VerifiedUpdate> verify_record(const UpdateRecord& record, const VerifyContext& ctx) {
  auto decoded = decode_update(record.update_bytes);
  if (!decoded)
    return decoded.error();
  Update& u = decoded.value();
  const std::string v = "version " + std::to_string(u.version);
  if (record.version != u.version)
    return make_error("allowlist", "MALFORMED_UPDATE",
                      "record says version " + std::to_string(record.version) + " but its update_bytes say " +
                          std::to_string(u.version),
                      ErrorKind::kRejected);
  if (u.chain_id != ctx.chain_id)
    return rejected("WRONG_CHAIN",
                    v + " is for chain \"" + u.chain_id + "\", this relayer serves \"" + ctx.chain_id + "\"");
  if (u.version <= ctx.tip.version)
    return rejected("ROLLBACK",
                    v + " is not newer than the applied version " + std::to_string(ctx.tip.version));
  if (u.version != ctx.tip.version + 1)
    return rejected("GAP", v + " follows version " + std::to_string(ctx.tip.version) + ": versions " +
                               std::to_string(ctx.tip.version + 1) + ".." + std::to_string(u.version - 1) +
                               " are missing");
  if (!std::equal(u.prev_hash.begin(), u.prev_hash.end(), ctx.tip.hash.begin(), ctx.tip.hash.end()))
    return rejected("BAD_PREV_HASH", v + ": prev_hash " + to_hex(u.prev_hash) + ", want " +
                                         to_hex(ctx.tip.hash) + " (SHA-256 of version " +
                                         std::to_string(ctx.tip.version) + ")");
  if (u.valid_until_height != 0 && record.applied_height > u.valid_until_height)
    return rejected("EXPIRED", v + " is valid until height " + std::to_string(u.valid_until_height) +
                                   " but was applied at height " + std::to_string(record.applied_height));
  auto ids = check_signatures(record.update_bytes, record.signatures, *ctx.signers);
  if (!ids)
    return ids.error();
  return VerifiedUpdate{std::move(u), update_hash(record.update_bytes), std::move(ids.value())};
}

Result<Signature> sign_update(std::span<const std::uint8_t> update_bytes, std::string_view key_id,
                              const SecretBytes& private_key) {
  auto sig = chain::crypto::sign_digest(private_key, signing_digest(update_bytes));
  if (!sig)
    return sig.error();
  return Signature{std::string(key_id), Bytes(sig->begin(), sig->end())};
}

}  // namespace snprelay::allowlist
