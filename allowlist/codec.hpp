// AllowlistUpdate bytes: the canonical encoding, strict decoding, hashes, and the two queries sync uses.
//
// update_bytes are the protobuf encoding of snpattest.v1.AllowlistUpdate (PROTOCOL.md "Types"). What
// signers sign is update_bytes themselves, so this file decodes exactly like the Go module's
// DecodeAllowlistUpdate (onchain/x/snpattest/types/allowlist.go): the bytes are accepted only when
// they ARE the canonical encoding of the message they decode to — unknown fields, trailing bytes,
// repeated scalar fields, fields out of order and non-minimal varints are all refused — and then the
// shape rules hold (validate_shape). encode_update produces that canonical encoding (fields in number
// order, defaults omitted), byte-identical to gogoproto's Marshal; the shared vectors pin it.
//
// One known difference from Go: protobuf-C++ refuses a string field (chain_id, label, memo, product)
// that is not valid UTF-8, which gogoproto accepts. Such an update can never be applied by this
// relayer; governance tooling built on this library never produces one.
//
// Error codes (component "allowlist", kind kRejected unless noted):
//   MALFORMED_UPDATE   not an AllowlistUpdate, not canonical, or a shape rule broken (the message says
//                      which field, as Go's does);
//   BAD_QUERY_REPLY    a query response that does not decode (kind kUnavailable: another node may
//                      answer correctly).
// This is the only file of allowlist/ that includes generated protobuf headers (codec.cpp).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "allowlist/types.hpp"
#include "common/error.hpp"

namespace snprelay::allowlist {

// The canonical bytes of `update` (no validation: callers building an update validate_shape first).
[[nodiscard]] Bytes encode_update(const Update& update);

// Strict decoding + validate_shape, as described above. Error: MALFORMED_UPDATE.
[[nodiscard]] Result<Update> decode_update(std::span<const std::uint8_t> update_bytes);

// The shape rules of one update, not its version, chain or signatures: non-empty chain_id, version
// >= 1, a 32-byte prev_hash, valid_until_height >= 0; each added entry 48-byte measurement, optional
// family_id/image_id 16 bytes, host_data 32 bytes, expiry_height >= 0, no measurement added twice;
// each revoked measurement 48 bytes, neither added nor revoked twice in the same update; min_tcb
// products among Milan/Genoa/Turin, each at most once. Error: MALFORMED_UPDATE naming the field.
[[nodiscard]] Status validate_shape(const Update& update);

// SHA-256(update_bytes): the next version's prev_hash.
[[nodiscard]] UpdateHash update_hash(std::span<const std::uint8_t> update_bytes);

// SHA-256("snprelay/allowlist/v1" || update_bytes): what signers sign (chain/protocol's function).
[[nodiscard]] UpdateHash signing_digest(std::span<const std::uint8_t> update_bytes);

// ---- the queries sync needs (PROTOCOL.md "Queries"), as plain bytes ----------------------------

// "/snpattest.v1.Query/AllowlistUpdates" and "/snpattest.v1.Query/AllowlistSigners".
inline constexpr const char* kUpdatesQueryPath = "/snpattest.v1.Query/AllowlistUpdates";
inline constexpr const char* kSignersQueryPath = "/snpattest.v1.Query/AllowlistSigners";

// QueryAllowlistUpdatesRequest{from_version, limit}.
[[nodiscard]] Bytes encode_updates_request(std::uint64_t from_version, std::uint32_t limit);
// QueryAllowlistUpdatesResponse -> records, in the order the node sent them. Error: BAD_QUERY_REPLY.
[[nodiscard]] Result<std::vector<UpdateRecord>> decode_updates_response(std::span<const std::uint8_t> bytes);
// The inverse, for test doubles and local fakes of a node.
[[nodiscard]] Bytes encode_updates_response(const std::vector<UpdateRecord>& records);

// QueryAllowlistSignersResponse -> the chain's signer set. Error: BAD_QUERY_REPLY.
[[nodiscard]] Result<SignerSet> decode_signers_response(std::span<const std::uint8_t> bytes);
// The inverse, for test doubles.
[[nodiscard]] Bytes encode_signers_response(const SignerSet& set);

// ---- the transaction message governance submits (PROTOCOL.md "Messages") ----------------------

// The type URL of snpattest.v1.MsgUpdateAllowlist.
inline constexpr const char* kMsgUpdateAllowlistType = "/snpattest.v1.MsgUpdateAllowlist";

// MsgUpdateAllowlist{submitter, update_bytes, signatures}, serialized (the Any value of a tx message).
// No validation: the chain checks the signatures; `allowlist submit` carries what `combine` wrote.
[[nodiscard]] Bytes encode_msg_update_allowlist(const std::string& submitter,
                                                std::span<const std::uint8_t> update_bytes,
                                                const std::vector<Signature>& signatures);

}  // namespace snprelay::allowlist
