// Builders for the messages snprelay signs, returned as AnyMessage (type URL + serialized bytes).
//
// Addresses are taken as bech32 strings and written unchanged: the chain decodes and checks them; the
// builders do not validate them (the CLI does, with keys::decode_address, before building).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "chain/tx/types.hpp"

namespace snprelay::chain::tx {

inline constexpr std::string_view kMsgSendType = "/cosmos.bank.v1beta1.MsgSend";
inline constexpr std::string_view kMsgSubmitAttestationType = "/snpattest.v1.MsgSubmitAttestation";
inline constexpr std::string_view kMsgSetRelayerType = "/snpattest.v1.MsgSetRelayer";

// cosmos.bank.v1beta1.MsgSend{from_address, to_address, amount}.
[[nodiscard]] AnyMessage make_msg_send(const std::string& from, const std::string& to,
                                       const std::vector<Coin>& amount);

// snpattest.v1.MsgSubmitAttestation (PROTOCOL.md): the relayer's epoch submission.
struct SubmitAttestation {
  std::string relayer;
  std::string operator_address;
  std::uint64_t epoch = 0;
  Bytes report;       // 1184 bytes
  Bytes vcek_der;     // may be empty when vcek_sha256 names a VCEK the chain holds
  Bytes vcek_sha256;  // 32 bytes
  std::uint64_t allowlist_version = 0;
};
[[nodiscard]] AnyMessage make_msg_submit_attestation(const SubmitAttestation& msg);

// snpattest.v1.MsgSetRelayer{operator, relayer}, signed by the operator.
[[nodiscard]] AnyMessage make_msg_set_relayer(const std::string& operator_address,
                                              const std::string& relayer);

}  // namespace snprelay::chain::tx
