#include "chain/tx/messages.hpp"

#include "cosmos/bank/v1beta1/tx.pb.h"
#include "snpattest/v1/tx.pb.h"

namespace snprelay::chain::tx {
namespace {

// Serializes straight into the AnyMessage's buffer (no intermediate std::string).
template <typename Message>
AnyMessage pack(std::string_view type_url, const Message& msg) {
  AnyMessage out{std::string(type_url), Bytes(msg.ByteSizeLong())};
  msg.SerializeWithCachedSizesToArray(out.value.data());
  return out;
}

std::string as_string(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

}  // namespace

AnyMessage make_msg_send(const std::string& from, const std::string& to, const std::vector<Coin>& amount) {
  cosmos::bank::v1beta1::MsgSend msg;
  msg.set_from_address(from);
  msg.set_to_address(to);
  for (const auto& coin : amount) {
    auto* c = msg.add_amount();
    c->set_denom(coin.denom);
    c->set_amount(coin.amount);
  }
  return pack(kMsgSendType, msg);
}

AnyMessage make_msg_submit_attestation(const SubmitAttestation& in) {
  snpattest::v1::MsgSubmitAttestation msg;
  msg.set_relayer(in.relayer);
  msg.set_operator_(in.operator_address);
  msg.set_epoch(in.epoch);
  msg.set_report(as_string(in.report));
  msg.set_vcek_der(as_string(in.vcek_der));
  msg.set_vcek_sha256(as_string(in.vcek_sha256));
  msg.set_allowlist_version(in.allowlist_version);
  return pack(kMsgSubmitAttestationType, msg);
}

AnyMessage make_msg_set_relayer(const std::string& operator_address, const std::string& relayer) {
  snpattest::v1::MsgSetRelayer msg;
  msg.set_operator_(operator_address);
  msg.set_relayer(relayer);
  return pack(kMsgSetRelayerType, msg);
}

}  // namespace snprelay::chain::tx
