// Verifying an allowlist update: threshold signatures and its place in the chain of versions.
//
// The rules are those of MsgUpdateAllowlist on chain (PROTOCOL.md; onchain/x/snpattest/keeper/
// allowlist.go), applied here again by the relayer against the signer set pinned in ITS config, so a
// copy served by any RPC node is trusted only if governance's own keys signed it:
//   * check_signatures: every signature names a key id of the set (else UNKNOWN_SIGNER); each signer
//     counts at most once however often it appears; a signature that does not verify (forged, not 64
//     bytes, high-S, another update's) does not count; fewer than `threshold` valid signers is
//     BELOW_THRESHOLD with "N of T required signatures" and a note per signature that did not count.
//   * verify_record: strict decoding (codec.hpp), then chain_id (WRONG_CHAIN), version = current + 1
//     (ROLLBACK when lower, GAP when higher), prev_hash = SHA-256 of the current update's bytes, 32
//     zero bytes before version 1 (BAD_PREV_HASH), not expired at the height the chain applied it
//     (valid_until_height != 0 and applied_height > valid_until_height: EXPIRED), the record's
//     version equals the decoded one (MALFORMED_UPDATE), then the signatures.
// Every refusal is an Error of component "allowlist" with kind kRejected and one of the codes above,
// so a caller can turn the code into a log line, a metric label or a health reason.
//
// Thread-safety: pure functions (secp256k1 verification on chain/'s shared context).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "allowlist/types.hpp"
#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay::allowlist {

// The signer-set rule, shared with the chain (onchain/x/snpattest/types, vectors in
// tests/data/protocol/signer_sets.json), checked in this order, the first failure reported: EMPTY (no
// signers); BAD_THRESHOLD (threshold outside 1..size); then per signer in order EMPTY_KEY_ID,
// DUPLICATE_KEY_ID, NOT_COMPRESSED (not 33 bytes with prefix 02/03), NOT_ON_CURVE, DUPLICATE_PUBKEY
// (the same 33 bytes under an earlier key id: one key would count twice towards the threshold).
struct SignerSetProblem {
  std::string code;     // one of the codes above
  std::string message;  // names the signer ("signers[1] (alice-2): ...")
};
[[nodiscard]] std::optional<SignerSetProblem> signer_set_problem(const SignerSet& set);

// The same as a Status: BAD_SIGNER_SET (kind kInput: it comes from configuration, a file or the
// chain) whose message starts with the problem's code. Every place a signer set is read calls it.
[[nodiscard]] Status validate_signer_set(const SignerSet& set);

// A signature labelled with one key id that was in fact made by ANOTHER key of the set (a relabel): that
// key id; nullopt when no other key of the set made it. check_signatures never counts such a signature
// (it does not verify under the key it names) and says so; `allowlist verify` refuses it outright.
[[nodiscard]] std::optional<std::string> signed_by_other(std::span<const std::uint8_t> update_bytes,
                                                         const Signature& sig, const SignerSet& set);

// The threshold rule above. On success, the key ids that signed validly, in signature order.
// Errors: UNKNOWN_SIGNER, BELOW_THRESHOLD.
[[nodiscard]] Result<std::vector<std::string>> check_signatures(std::span<const std::uint8_t> update_bytes,
                                                                const std::vector<Signature>& signatures,
                                                                const SignerSet& set);

// Where the local copy stands: the version applied last (0 = none) and its update hash.
struct ChainTip {
  std::uint64_t version = 0;
  UpdateHash hash{};  // all zero when version == 0
};

// What verify_record needs besides the record.
struct VerifyContext {
  std::string chain_id;                // the chain this relayer serves
  ChainTip tip;                        // the local copy's current version
  const SignerSet* signers = nullptr;  // the pinned set; must be non-null
};

// A verified update: its decoded form, its hash, and who signed it.
struct VerifiedUpdate {
  Update update;
  UpdateHash hash{};
  std::vector<std::string> signer_ids;
};

// All the rules above, in that order (the first broken one is reported).
// Errors: MALFORMED_UPDATE, WRONG_CHAIN, ROLLBACK, GAP, BAD_PREV_HASH, EXPIRED, UNKNOWN_SIGNER,
// BELOW_THRESHOLD.
[[nodiscard]] Result<VerifiedUpdate> verify_record(const UpdateRecord& record, const VerifyContext& context);

// Signs `update_bytes` for governance: secp256k1 over signing_digest(update_bytes), deterministic
// (RFC 6979) and low-S. Error: chain INVALID_PRIVATE_KEY.
[[nodiscard]] Result<Signature> sign_update(std::span<const std::uint8_t> update_bytes,
                                            std::string_view key_id, const SecretBytes& private_key);

}  // namespace snprelay::allowlist
