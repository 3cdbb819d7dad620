#include "chain/tx/sign_direct.hpp"

#include <google/protobuf/unknown_field_set.h>

#include "chain/crypto/hash.hpp"
#include "chain/tx/wire.hpp"
#include "cosmos/crypto/secp256k1/keys.pb.h"
#include "cosmos/tx/v1beta1/tx.pb.h"

namespace snprelay::chain::tx {
namespace {

namespace pb = cosmos::tx::v1beta1;

template <typename Message>
Bytes serialize(const Message& msg) {
  std::string out;
  msg.SerializeToString(&out);
  return Bytes(out.begin(), out.end());
}

std::string as_string(std::span<const std::uint8_t> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void fill_fee(pb::Fee& out, const Fee& fee) {
  for (const auto& coin : fee.amount) {
    auto* c = out.add_amount();
    c->set_denom(coin.denom);
    c->set_amount(coin.amount);
  }
  out.set_gas_limit(fee.gas_limit);
  out.set_payer(fee.payer);
  out.set_granter(fee.granter);
}

Error invalid(const std::string& why) {
  return make_error("chain", "INVALID_TX", why);
}

}  // namespace

Bytes encode_tx_body(const TxSpec& spec) {
  pb::TxBody body;
  for (const auto& m : spec.messages) {
    auto* any = body.add_messages();
    any->set_type_url(m.type_url);
    any->set_value(as_string(m.value));
  }
  body.set_memo(spec.memo);
  body.set_timeout_height(spec.timeout_height);
  return serialize(body);
}

Bytes encode_auth_info(const crypto::PublicKey& public_key, std::uint64_t sequence, const Fee& fee,
                       int sign_mode) {
  cosmos::crypto::secp256k1::PubKey pk;
  pk.set_key(as_string(public_key));
  pb::AuthInfo info;
  auto* signer = info.add_signer_infos();
  signer->mutable_public_key()->set_type_url(std::string(kSecp256k1PubKeyType));
  signer->mutable_public_key()->set_value(pk.SerializeAsString());
  signer->mutable_mode_info()->mutable_single()->set_mode(
      static_cast<cosmos::tx::signing::v1beta1::SignMode>(sign_mode));
  signer->set_sequence(sequence);
  fill_fee(*info.mutable_fee(), fee);
  return serialize(info);
}

Bytes encode_sign_doc(std::span<const std::uint8_t> body_bytes, std::span<const std::uint8_t> auth_info_bytes,
                      const std::string& chain_id, std::uint64_t account_number) {
  pb::SignDoc doc;
  doc.set_body_bytes(as_string(body_bytes));
  doc.set_auth_info_bytes(as_string(auth_info_bytes));
  doc.set_chain_id(chain_id);
  doc.set_account_number(account_number);
  return serialize(doc);
}

Bytes encode_tx_raw(std::span<const std::uint8_t> body_bytes, std::span<const std::uint8_t> auth_info_bytes,
                    std::span<const Bytes> signatures) {
  pb::TxRaw raw;
  raw.set_body_bytes(as_string(body_bytes));
  raw.set_auth_info_bytes(as_string(auth_info_bytes));
  for (const auto& sig : signatures)
    raw.add_signatures(as_string(sig));
  return serialize(raw);
}

std::string tx_hash(std::span<const std::uint8_t> tx_raw) {
  std::string hex = to_hex(crypto::sha256(tx_raw));
  for (char& c : hex)
    if (c >= 'a' && c <= 'f')
      c = static_cast<char>(c - 'a' + 'A');
  return hex;
}

Result<SignedTx> sign_tx(const TxSpec& spec, const keys::AccountKey& key) {
  if (spec.messages.empty())
    return invalid("a transaction needs at least one message");
  if (spec.chain_id.empty())
    return invalid("chain_id is empty");
  if (spec.fee.gas_limit == 0)
    return invalid("gas limit is 0");
  SignedTx out;
  out.body_bytes = encode_tx_body(spec);
  out.auth_info_bytes = encode_auth_info(key.public_key, spec.sequence, spec.fee);
  out.sign_bytes = encode_sign_doc(out.body_bytes, out.auth_info_bytes, spec.chain_id, spec.account_number);
  auto sig = crypto::sign_digest(key.private_key, crypto::sha256(out.sign_bytes));
  if (!sig)
    return sig.error();
  out.signature = *sig;
  const Bytes sigs[] = {Bytes(sig->begin(), sig->end())};
  out.tx_raw = encode_tx_raw(out.body_bytes, out.auth_info_bytes, sigs);
  out.hash = tx_hash(out.tx_raw);
  return out;
}

Bytes build_simulation_tx(const TxSpec& spec, const crypto::PublicKey& public_key) {
  const Bytes body = encode_tx_body(spec);
  const Bytes auth = encode_auth_info(public_key, spec.sequence, Fee{}, 0);
  const Bytes sigs[] = {Bytes{}};
  return encode_tx_raw(body, auth, sigs);
}

Result<DecodedTx> decode_tx_raw(std::span<const std::uint8_t> tx_raw) {
  if (auto st = check_adr027_tx_raw(tx_raw); !st)
    return st.error();
  pb::TxRaw raw;
  if (!raw.ParseFromArray(tx_raw.data(), static_cast<int>(tx_raw.size())))
    return invalid("TxRaw does not parse");
  DecodedTx out;
  out.body_bytes.assign(raw.body_bytes().begin(), raw.body_bytes().end());
  out.auth_info_bytes.assign(raw.auth_info_bytes().begin(), raw.auth_info_bytes().end());
  for (const auto& s : raw.signatures())
    out.signatures.emplace_back(s.begin(), s.end());
  pb::TxBody body;
  if (!body.ParseFromString(raw.body_bytes()))
    return invalid("TxBody does not parse");
  for (const auto& any : body.messages())
    out.messages.push_back(AnyMessage{any.type_url(), Bytes(any.value().begin(), any.value().end())});
  out.memo = body.memo();
  out.timeout_height = body.timeout_height();
  pb::AuthInfo auth;
  if (!auth.ParseFromString(raw.auth_info_bytes()))
    return invalid("AuthInfo does not parse");
  if (!auth.GetReflection()->GetUnknownFields(auth).empty())
    return invalid("AuthInfo has unknown fields");
  for (const auto& signer : auth.signer_infos()) {
    out.sequences.push_back(signer.sequence());
    if (signer.public_key().type_url() == kSecp256k1PubKeyType) {
      cosmos::crypto::secp256k1::PubKey pk;
      if (!pk.ParseFromString(signer.public_key().value()))
        return invalid("secp256k1 PubKey does not parse");
      out.signer_public_keys.emplace_back(pk.key().begin(), pk.key().end());
    }
  }
  for (const auto& c : auth.fee().amount())
    out.fee.amount.push_back(Coin{c.denom(), c.amount()});
  out.fee.gas_limit = auth.fee().gas_limit();
  out.fee.payer = auth.fee().payer();
  out.fee.granter = auth.fee().granter();
  return out;
}

}  // namespace snprelay::chain::tx
