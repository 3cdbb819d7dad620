#include "chain/tx/sign_direct.hpp"

#include <google/protobuf/unknown_field_set.h>

#include "chain/crypto/hash.hpp"
#include "chain/tx/wire.hpp"
#include "common/utf8.hpp"
#include "cosmos/crypto/secp256k1/keys.pb.h"
#include "cosmos/tx/v1beta1/tx.pb.h"

namespace snprelay::chain::tx {
namespace {

namespace pb = cosmos::tx::v1beta1;

template <typename Message>
Bytes serialize(const Message& msg) {
  Bytes out(msg.ByteSizeLong());
  msg.SerializeWithCachedSizesToArray(out.data());
  return out;
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
  return make_error("chain", "INVALID_TX", why, ErrorKind::kInput);
}

}  // namespace

// TxBody, SignDoc and TxRaw are written by hand (chain/tx/wire.hpp): they wrap bytes we already hold
// (message values, body and auth-info bytes), and protobuf would copy each of them into a message
// and then again out of it. Field order, minimal varints and omitted defaults match protobuf's own
// serialization byte for byte (checked against the Go/CosmJS vectors in tests/unit/chain).
namespace {

std::size_t any_size(const AnyMessage& m) {
  return (m.type_url.empty() ? 0 : len_field_size(1, m.type_url.size())) +
         (m.value.empty() ? 0 : len_field_size(2, m.value.size()));
}

// Length of the fields SignDoc and TxRaw share: 1 body_bytes, 2 auth_info_bytes (same rules, same bytes).
std::size_t shared_prefix_size(std::span<const std::uint8_t> body_bytes,
                               std::span<const std::uint8_t> auth_info_bytes) {
  return (body_bytes.empty() ? 0 : len_field_size(1, body_bytes.size())) +
         (auth_info_bytes.empty() ? 0 : len_field_size(2, auth_info_bytes.size()));
}

std::string upper_hex(const crypto::Sha256Digest& digest) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string hex(2 * digest.size(), '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return hex;
}

}  // namespace

Bytes encode_tx_body(const TxSpec& spec) {
  std::size_t size = 0;
  for (const auto& m : spec.messages)
    size += len_field_size(1, any_size(m));
  if (!spec.memo.empty())
    size += len_field_size(2, spec.memo.size());
  if (spec.timeout_height != 0)
    size += varint_field_size(3, spec.timeout_height);
  Bytes out;
  out.reserve(size);
  for (const auto& m : spec.messages) {
    put_len_header(out, 1, any_size(m));
    if (!m.type_url.empty())
      put_len_field(out, 1, m.type_url);
    if (!m.value.empty())
      put_len_field(out, 2, m.value);
  }
  if (!spec.memo.empty())
    put_len_field(out, 2, spec.memo);
  if (spec.timeout_height != 0)
    put_varint_field(out, 3, spec.timeout_height);
  return out;
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
  const std::size_t size = (body_bytes.empty() ? 0 : len_field_size(1, body_bytes.size())) +
                           (auth_info_bytes.empty() ? 0 : len_field_size(2, auth_info_bytes.size())) +
                           (chain_id.empty() ? 0 : len_field_size(3, chain_id.size())) +
                           (account_number == 0 ? 0 : varint_field_size(4, account_number));
  Bytes out;
  out.reserve(size);
  if (!body_bytes.empty())
    put_len_field(out, 1, body_bytes);
  if (!auth_info_bytes.empty())
    put_len_field(out, 2, auth_info_bytes);
  if (!chain_id.empty())
    put_len_field(out, 3, chain_id);
  if (account_number != 0)
    put_varint_field(out, 4, account_number);
  return out;
}

Bytes encode_tx_raw(std::span<const std::uint8_t> body_bytes, std::span<const std::uint8_t> auth_info_bytes,
                    std::span<const Bytes> signatures) {
  std::size_t size = (body_bytes.empty() ? 0 : len_field_size(1, body_bytes.size())) +
                     (auth_info_bytes.empty() ? 0 : len_field_size(2, auth_info_bytes.size()));
  for (const auto& sig : signatures)
    size += len_field_size(3, sig.size());
  Bytes out;
  out.reserve(size);
  if (!body_bytes.empty())
    put_len_field(out, 1, body_bytes);
  if (!auth_info_bytes.empty())
    put_len_field(out, 2, auth_info_bytes);
  for (const auto& sig : signatures)  // repeated: every element is written, even an empty one
    put_len_field(out, 3, sig);
  return out;
}

std::string tx_hash(std::span<const std::uint8_t> tx_raw) {
  return upper_hex(crypto::sha256(tx_raw));
}

Result<SignedTx> sign_tx(const TxSpec& spec, const keys::AccountKey& key) {
  if (spec.messages.empty())
    return invalid("a transaction needs at least one message");
  if (spec.chain_id.empty())
    return invalid("chain_id is empty");
  if (spec.fee.gas_limit == 0)
    return invalid("gas limit is 0");
  if (spec.memo.size() > kMaxMemoBytes)
    return invalid("the memo is " + std::to_string(spec.memo.size()) + " bytes; the chain accepts at most " +
                   std::to_string(kMaxMemoBytes) + " (x/auth max_memo_characters)");
  if (!is_valid_utf8(spec.memo))
    return invalid("the memo is not well-formed UTF-8 (a protobuf string must be)");
  SignedTx out;
  out.body_bytes = encode_tx_body(spec);
  out.auth_info_bytes = encode_auth_info(key.public_key, spec.sequence, spec.fee);
  out.sign_bytes = encode_sign_doc(out.body_bytes, out.auth_info_bytes, spec.chain_id, spec.account_number);
  // SignDoc = [body][auth][chain_id][account_number] and TxRaw = [body][auth][signature] share their
  // first two fields byte for byte: SHA-256 runs over that prefix once, then each copy of the state
  // finishes with its own tail. The SignDoc digest is the one that is signed; the TxRaw digest is the
  // tx hash. TxRaw is assembled from the prefix of the already-built sign bytes.
  const std::span<const std::uint8_t> sign_bytes(out.sign_bytes);
  const std::size_t prefix = shared_prefix_size(out.body_bytes, out.auth_info_bytes);
  crypto::Sha256Stream shared;
  shared.update(sign_bytes.first(prefix));
  crypto::Sha256Stream doc(shared);
  doc.update(sign_bytes.subspan(prefix));
  auto sig = crypto::sign_digest(key.private_key, doc.finish());
  if (!sig)
    return sig.error();
  out.signature = *sig;
  out.tx_raw.reserve(prefix + len_field_size(3, out.signature.size()));
  out.tx_raw.assign(sign_bytes.begin(), sign_bytes.begin() + static_cast<std::ptrdiff_t>(prefix));
  put_len_field(out.tx_raw, 3, out.signature);
  shared.update(std::span<const std::uint8_t>(out.tx_raw).subspan(prefix));
  out.hash = upper_hex(shared.finish());
  return out;
}

Bytes build_simulation_tx(const TxSpec& spec, const crypto::PublicKey& public_key) {
  const Bytes body = encode_tx_body(spec);
  Fee fee;
  fee.amount = spec.fee.amount;  // so the ante handler's fee deduction (a bank transfer) is metered too
  fee.granter = spec.fee.granter;
  const Bytes auth = encode_auth_info(public_key, spec.sequence, fee, 0);
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
