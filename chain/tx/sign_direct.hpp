// SIGN_MODE_DIRECT: body and auth-info encoding, sign bytes, signature, TxRaw and tx hash.
//
// The bytes produced here are byte-identical to Go cosmos-sdk and CosmJS 0.39 for the same input
// (checked against tests/data/cosmos/cosmos-sign-direct.json and live CosmJS in tests/conformance):
//   body_bytes      = TxBody{messages, memo, timeout_height}
//   auth_info_bytes = AuthInfo{[SignerInfo{Any(/cosmos.crypto.secp256k1.PubKey), DIRECT, sequence}], fee}
//   sign_bytes      = SignDoc{body_bytes, auth_info_bytes, chain_id, account_number}
//   signature       = secp256k1 RFC 6979 over SHA-256(sign_bytes), 64-byte r||s, low-S
//   tx_raw          = TxRaw{body_bytes, auth_info_bytes, [signature]}
//   hash            = upper-case hex SHA-256(tx_raw)
// Proto3 defaults are omitted (sequence 0, account_number 0, empty memo), fields are in ascending order
// and varints are minimal, as ADR-027 requires.
//
// Thread-safety: pure functions; the key is only read.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "chain/crypto/secp256k1.hpp"
#include "chain/keys/account_key.hpp"
#include "chain/tx/types.hpp"
#include "common/error.hpp"

namespace snprelay::chain::tx {

inline constexpr std::string_view kSecp256k1PubKeyType = "/cosmos.crypto.secp256k1.PubKey";

struct SignedTx {
  Bytes body_bytes;
  Bytes auth_info_bytes;
  Bytes sign_bytes;
  crypto::CompactSignature signature{};
  Bytes tx_raw;
  std::string hash;  // upper-case hex
};

// TxBody bytes for `spec` (messages, memo, timeout_height).
[[nodiscard]] Bytes encode_tx_body(const TxSpec& spec);

// AuthInfo bytes with one secp256k1 signer. `sign_mode` is 1 (DIRECT) for real transactions and 0
// (UNSPECIFIED) for simulation, as CosmJS does.
[[nodiscard]] Bytes encode_auth_info(const crypto::PublicKey& public_key, std::uint64_t sequence,
                                     const Fee& fee, int sign_mode = 1);

// SignDoc bytes.
[[nodiscard]] Bytes encode_sign_doc(std::span<const std::uint8_t> body_bytes,
                                    std::span<const std::uint8_t> auth_info_bytes,
                                    const std::string& chain_id, std::uint64_t account_number);

// TxRaw bytes with the given signatures (one per signer, in SignerInfo order).
[[nodiscard]] Bytes encode_tx_raw(std::span<const std::uint8_t> body_bytes,
                                  std::span<const std::uint8_t> auth_info_bytes,
                                  std::span<const Bytes> signatures);

// Upper-case hex SHA-256 of TxRaw bytes: the hash CometBFT reports and indexes (tx.hash).
[[nodiscard]] std::string tx_hash(std::span<const std::uint8_t> tx_raw);

// The x/auth default of max_memo_characters, which the SDK compares with the memo's length in bytes.
inline constexpr std::size_t kMaxMemoBytes = 256;

// Builds and signs `spec` with `key`. Errors: chain INVALID_TX (kInput: no messages, empty chain_id,
// zero gas, a memo over kMaxMemoBytes or not well-formed UTF-8) and those of crypto::sign_digest.
[[nodiscard]] Result<SignedTx> sign_tx(const TxSpec& spec, const keys::AccountKey& key);

// The unsigned transaction used for gas simulation: same body; the real pubkey and sequence with sign
// mode UNSPECIFIED; spec's fee coins (and granter) with gas 0; one empty signature (CosmJS's simulate
// shape, plus the fee). The fee matters: the SDK deducts a non-zero fee with a bank transfer that costs
// ~16k gas, and a simulation without coins leaves that out (a MsgSetRelayer simulated at 37.6k gas
// then ran out of 1.4 x 37.6k in the block).
[[nodiscard]] Bytes build_simulation_tx(const TxSpec& spec, const crypto::PublicKey& public_key);

// A TxRaw taken apart, for inspection of bytes from outside (a file, an RPC reply).
struct DecodedTx {
  Bytes body_bytes;
  Bytes auth_info_bytes;
  std::vector<Bytes> signatures;
  std::vector<AnyMessage> messages;
  std::string memo;
  std::uint64_t timeout_height = 0;
  std::vector<Bytes> signer_public_keys;  // secp256k1 keys; other key types are left out
  std::vector<std::uint64_t> sequences;
  Fee fee;
};

// Decodes TxRaw and its body and auth info. Enforces the chain's envelope rules that matter for bytes
// we broadcast: TxRaw fields in ascending order with minimal varints and no unknown fields (the SDK's
// rejectNonADR027TxRaw), and a parseable body and auth info. Errors: chain INVALID_TX naming the rule.
[[nodiscard]] Result<DecodedTx> decode_tx_raw(std::span<const std::uint8_t> tx_raw);

}  // namespace snprelay::chain::tx
