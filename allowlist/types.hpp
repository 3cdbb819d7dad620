// The allowlist's plain value types: PROTOCOL.md's AllowlistUpdate and its parts, without protobuf.
//
// These structs mirror snpattest.v1 field for field (chain/proto/snpattest/v1/types.proto) so that the
// rest of snprelay never sees a protobuf type; allowlist/codec.cpp is the one translation unit that
// turns them into the canonical bytes and back. Byte fields hold raw bytes (not hex). Sizes that the
// protocol fixes (48-byte measurements, 16-byte family/image ids, 32-byte host data and hashes,
// 33-byte keys, 64-byte signatures) are checked by decode/validate, not by the types, because the
// values come from outside.
//
// Thread-safety: plain values; safe to copy between threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/hex.hpp"

namespace snprelay::allowlist {

// Fixed sizes of PROTOCOL.md (the Go module's constants of the same names).
inline constexpr std::size_t kMeasurementSize = 48;
inline constexpr std::size_t kFamilyIdSize = 16;
inline constexpr std::size_t kImageIdSize = 16;
inline constexpr std::size_t kHostDataSize = 32;
inline constexpr std::size_t kHashSize = 32;
inline constexpr std::size_t kPubKeySize = 33;
inline constexpr std::size_t kSignatureSize = 64;

// A 48-byte SNP launch measurement, the allowlist's key.
using Measurement = std::array<std::uint8_t, kMeasurementSize>;
// SHA-256 of an update's bytes: the next update's prev_hash.
using UpdateHash = std::array<std::uint8_t, kHashSize>;

// One allowed measurement and its constraints (AllowlistEntry). Empty optional byte fields and zero
// numbers mean "no constraint"; expiry_height 0 means "never expires".
struct Entry {
  Bytes measurement;
  std::string label;
  std::uint32_t min_guest_svn = 0;
  std::uint64_t policy_mask = 0;
  std::uint64_t policy_value = 0;
  Bytes family_id;
  Bytes image_id;
  Bytes host_data;
  std::int64_t expiry_height = 0;
  bool operator==(const Entry&) const = default;
};

// Minimum reported TCB for one product (ProductTcb).
struct ProductTcb {
  std::string product;  // "Milan", "Genoa", "Turin"
  std::uint32_t boot_loader = 0;
  std::uint32_t tee = 0;
  std::uint32_t snp = 0;
  std::uint32_t microcode = 0;
  std::uint32_t fmc = 0;
  bool operator==(const ProductTcb&) const = default;
};

// A governance-signed change of the allowlist (AllowlistUpdate). add replaces an entry with the same
// measurement; revoke removes one; min_tcb replaces the product's minimum.
struct Update {
  std::string chain_id;
  std::uint64_t version = 0;
  Bytes prev_hash;  // 32 bytes; all zero for version 1
  std::vector<Entry> add;
  std::vector<Bytes> revoke;
  std::vector<ProductTcb> min_tcb;
  std::int64_t valid_until_height = 0;  // 0 = no deadline
  std::string memo;
  // Revocation below the measurement (fields 9-14, docs/PROTOCOL.md §7): SHA-256 of CHIP_IDs and of
  // VCEK/ASK certificates the chain refuses from this update on, products withdrawn, and the lists that
  // lift an earlier denial. Each hash is 32 bytes and appears once across a deny/undeny pair; each product
  // is known and appears once across withdraw/restore.
  std::vector<Bytes> deny_chip_id_sha256;
  std::vector<Bytes> deny_cert_sha256;
  std::vector<std::string> withdraw_products;
  std::vector<Bytes> undeny_chip_id_sha256;
  std::vector<Bytes> undeny_cert_sha256;
  std::vector<std::string> restore_products;
  bool operator==(const Update&) const = default;
};

// One signer's signature over allowlist_signing_digest(update_bytes) (AllowlistSignature).
struct Signature {
  std::string key_id;
  Bytes signature;  // 64-byte compact r || s, low-S
  bool operator==(const Signature&) const = default;
};

// A governance key (SignerKey).
struct SignerKey {
  std::string key_id;
  Bytes pubkey;  // 33-byte compressed secp256k1
  bool operator==(const SignerKey&) const = default;
};

// A signer set and the number of distinct valid signatures an update needs. The relayer's pinned set
// comes from its config ([allowlist] signers, threshold); the chain's from Query/AllowlistSigners.
struct SignerSet {
  std::vector<SignerKey> signers;
  std::uint32_t threshold = 0;
  bool operator==(const SignerSet&) const = default;
};

// An update as the chain stores it (AllowlistUpdateRecord): the exact bytes, the signatures carried
// with them, and the height at which the chain applied it.
struct UpdateRecord {
  std::uint64_t version = 0;
  Bytes update_bytes;
  std::vector<Signature> signatures;
  std::int64_t applied_height = 0;
  bool operator==(const UpdateRecord&) const = default;
};

}  // namespace snprelay::allowlist
