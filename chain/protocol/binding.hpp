// The hashes of the snpattest.v1 protocol (PROTOCOL.md "Encodings used in hashes"), implemented once.
//
// lp(s) = big-endian u16 length || UTF-8 bytes; u64be(n) = 8 bytes big-endian. Addresses are hashed as
// their bech32 strings exactly as they appear in the messages.
//   report_data      = SHA-512("snprelay/report/v1" || lp(chain_id) || u64be(epoch) || nonce ||
//                              lp(operator) || lp(relayer) || u64be(allowlist_version))      (64 bytes)
//   allowlist digest = SHA-256("snprelay/allowlist/v1" || update_bytes)                        (32 bytes)
//   epoch nonce      = SHA-256("snprelay/nonce/v1" || lp(chain_id) || u64be(epoch) || previous_block_hash)
// The relayer, the devnet chain and the allowlist tooling all call these functions, so both sides of
// the protocol agree by construction; tests/unit/chain pins them with fixed vectors.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string_view>

#include "chain/crypto/hash.hpp"
#include "common/error.hpp"

namespace snprelay::chain::protocol {

// Errors: chain INVALID_BINDING_INPUT (kInput) when a string exceeds 65535 bytes or the nonce is not 32
// bytes.
[[nodiscard]] Result<crypto::Sha512Digest> report_data(std::string_view chain_id, std::uint64_t epoch,
                                                       std::span<const std::uint8_t> nonce,
                                                       std::string_view operator_address,
                                                       std::string_view relayer,
                                                       std::uint64_t allowlist_version);

// The digest allowlist signers sign (secp256k1, 64-byte compact, low-S).
[[nodiscard]] crypto::Sha256Digest allowlist_signing_digest(std::span<const std::uint8_t> update_bytes);

// Errors: chain INVALID_BINDING_INPUT (kInput) when chain_id exceeds 65535 bytes.
[[nodiscard]] Result<crypto::Sha256Digest> epoch_nonce(std::string_view chain_id, std::uint64_t epoch,
                                                       std::span<const std::uint8_t> previous_block_hash);

}  // namespace snprelay::chain::protocol
