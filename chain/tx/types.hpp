// Plain C++ values that describe a Cosmos transaction, free of protobuf types.
//
// Callers outside chain/ build transactions from these structs; only chain/ sees the generated protobuf
// classes. A message is carried as an AnyMessage: its type URL and its already-serialized bytes, so
// messages chain/ has no generated class for can still be signed (CosmJS does the same).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/hex.hpp"

namespace snprelay::chain::tx {

// google.protobuf.Any: type_url like "/cosmos.bank.v1beta1.MsgSend", value = serialized message.
struct AnyMessage {
  std::string type_url;
  Bytes value;
};

// cosmos.base.v1beta1.Coin: amount is a decimal integer as text.
struct Coin {
  std::string denom;
  std::string amount;
  bool operator==(const Coin&) const = default;
};

// cosmos.tx.v1beta1.Fee. payer / granter empty = unset.
struct Fee {
  std::vector<Coin> amount;
  std::uint64_t gas_limit = 0;
  std::string payer;
  std::string granter;
};

// Everything SIGN_MODE_DIRECT signs, for one signer.
struct TxSpec {
  std::vector<AnyMessage> messages;
  std::string memo;
  std::uint64_t timeout_height = 0;  // 0 = none
  Fee fee;
  std::string chain_id;
  std::uint64_t account_number = 0;
  std::uint64_t sequence = 0;
};

}  // namespace snprelay::chain::tx
