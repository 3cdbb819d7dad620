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

#include "common/error.hpp"

namespace snprelay::chain::tx {

// Errors: chain INVALID_TX naming the offset and the rule broken.
[[nodiscard]] Status check_adr027_tx_raw(std::span<const std::uint8_t> tx_raw);

}  // namespace snprelay::chain::tx
