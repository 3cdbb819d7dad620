// Low-level protobuf wire checks that the generated parsers do not make.
//
// The Cosmos SDK rejects a TxRaw whose fields are out of order (1, 2, then 3s), whose varints (tags and
// lengths) are not minimal, or that has unknown fields (rejectNonADR027TxRaw, code 2 "tx parse error").
// protobuf's parser accepts all of these, so bytes we broadcast (for example from `tx broadcast FILE`)
// are checked here first.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::chain::tx {

// ---- writing --------------------------------------------------------------------------------
// Appends protobuf fields to a byte buffer in the form ADR-027 requires (minimal varints). The caller
// writes fields in ascending field-number order and decides about proto3 defaults (an empty string or
// a zero integer is omitted by the caller, an embedded message is written even when empty). The
// *_size() functions give the exact encoded size so a buffer can be reserved once.

// Bytes of the varint encoding of `v` (1..10).
[[nodiscard]] std::size_t varint_size(std::uint64_t v);
// Encoded size of a LEN field (tag, length, payload) with a payload of `len` bytes.
[[nodiscard]] std::size_t len_field_size(std::uint32_t field, std::size_t len);
// Encoded size of a VARINT field holding `v`.
[[nodiscard]] std::size_t varint_field_size(std::uint32_t field, std::uint64_t v);
void put_varint(Bytes& out, std::uint64_t v);
// Tag and length of a LEN field whose `len` payload bytes the caller appends next.
void put_len_header(Bytes& out, std::uint32_t field, std::size_t len);
// A whole LEN field: tag, length, payload.
void put_len_field(Bytes& out, std::uint32_t field, std::span<const std::uint8_t> payload);
void put_len_field(Bytes& out, std::uint32_t field, std::string_view payload);
void put_varint_field(Bytes& out, std::uint32_t field, std::uint64_t v);

// ---- checking -------------------------------------------------------------------------------
// Errors: chain INVALID_TX naming the offset and the rule broken.
[[nodiscard]] Status check_adr027_tx_raw(std::span<const std::uint8_t> tx_raw);

// The TxRaw bytes held by a file an operator hands to `tx broadcast`: either hex text (upper or lower
// case, optional "0x", whitespace ignored; also exactly what `tx send --offline` prints: the TxRaw hex,
// then its tx hash, which must then match) or the raw binary bytes. A file made only of hex digits,
// 'x' and whitespace is text; anything else is binary (a real TxRaw always holds a "/..." type URL).
// Only the form is decided here; check_adr027_tx_raw()/decode_tx_raw() judge the content.
// Errors: chain INVALID_TX for an empty file, bad hex, extra tokens, or a hash that does not match.
[[nodiscard]] Result<Bytes> tx_bytes_from_file_contents(std::span<const std::uint8_t> contents);

}  // namespace snprelay::chain::tx
