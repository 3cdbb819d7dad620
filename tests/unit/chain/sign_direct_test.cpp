// SIGN_MODE_DIRECT against every transaction vector in cosmos-sign-direct.json, byte for byte:
// body, auth info, sign bytes, SHA-256 of the sign bytes, signature, TxRaw and hash. Plus decoding and
// the ADR-027 envelope rules.
#include "chain/tx/sign_direct.hpp"

#include <gtest/gtest.h>

#include "chain/crypto/secp256k1.hpp"
#include "chain/keys/account_key.hpp"
#include "chain/tx/coins.hpp"
#include "chain/tx/messages.hpp"
#include "tests/unit/chain/vectors.hpp"

namespace snprelay::chain {
namespace {

using testing::hex_bytes;
using testing::secret;

keys::AccountKey signer(const nlohmann::json& doc, int index) {
  const auto& kv = doc["key_vectors"][static_cast<std::size_t>(index)];
  auto key = keys::account_key_from_mnemonic(secret(kv["mnemonic"]), secret(""), "m/44'/118'/0'/0/0");
  EXPECT_TRUE(key.ok());
  return std::move(*key);
}

tx::Fee fee_of(const std::string& coins, std::uint64_t gas) {
  tx::Fee fee;
  fee.amount = *tx::parse_coins(coins);
  fee.gas_limit = gas;
  return fee;
}

tx::TxSpec msgsend_spec(const nlohmann::json& v) {
  tx::TxSpec spec;
  const auto& m = v["msg"];
  spec.messages.push_back(
      tx::make_msg_send(m["from"], m["to"], *tx::parse_coins(m["amount"].get<std::string>())));
  spec.fee = fee_of(v["fee"], v["gas_limit"]);
  spec.chain_id = v["chain_id"];
  spec.account_number = v["account_number"];
  return spec;
}

TEST(SignDirect, GoMsgSendVectorsByteForByte) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  const auto& v = doc["msgsend_go_vectors"];
  const auto key = signer(doc, v["signer_mnemonic_index"]);
  ASSERT_EQ(v["cases"].size(), 3u);
  for (const auto& c : v["cases"]) {
    SCOPED_TRACE(c["sequence"].dump());
    auto spec = msgsend_spec(v);
    spec.sequence = c["sequence"];
    auto signed_tx = tx::sign_tx(spec, key);
    ASSERT_TRUE(signed_tx.ok()) << signed_tx.error().to_string();
    EXPECT_EQ(to_hex(signed_tx->body_bytes), v["body_bytes"].get<std::string>());
    EXPECT_EQ(to_hex(signed_tx->auth_info_bytes), c["auth_info_bytes"].get<std::string>());
    EXPECT_EQ(to_hex(signed_tx->sign_bytes), c["sign_bytes"].get<std::string>());
    EXPECT_EQ(to_hex(crypto::sha256(signed_tx->sign_bytes)), c["sha256_sign_bytes"].get<std::string>());
    EXPECT_EQ(to_hex(signed_tx->signature), c["signature"].get<std::string>());
    EXPECT_EQ(to_hex(signed_tx->tx_raw), c["tx_raw"].get<std::string>());
    EXPECT_EQ(signed_tx->hash, c["txhash"].get<std::string>());
    EXPECT_TRUE(
        crypto::verify_digest(key.public_key, crypto::sha256(signed_tx->sign_bytes), signed_tx->signature));
  }
  // The pubkey Any on its own.
  const std::string auth0 = v["cases"][0]["auth_info_bytes"];
  EXPECT_NE(auth0.find(v["pubkey_any"].get<std::string>()), std::string::npos);
}

TEST(SignDirect, MemoAndTimeoutVector) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  const auto& v = doc["memo_timeout_vector"];
  const auto& g = doc["msgsend_go_vectors"];
  auto spec = msgsend_spec(g);
  spec.chain_id = v["chain_id"];
  spec.account_number = v["account_number"];
  spec.sequence = v["sequence"];
  spec.memo = v["memo"];
  spec.timeout_height = v["timeout_height"];
  auto signed_tx = tx::sign_tx(spec, signer(doc, v["signer_mnemonic_index"]));
  ASSERT_TRUE(signed_tx.ok());
  EXPECT_EQ(to_hex(signed_tx->body_bytes), v["body_bytes"].get<std::string>());
  EXPECT_EQ(to_hex(signed_tx->auth_info_bytes), v["auth_info_bytes"].get<std::string>());
  EXPECT_EQ(to_hex(signed_tx->signature), v["signature"].get<std::string>());
  EXPECT_EQ(to_hex(signed_tx->tx_raw), v["tx_raw"].get<std::string>());
  EXPECT_EQ(signed_tx->hash, v["txhash"].get<std::string>());
}

TEST(SignDirect, MemoTheChainWouldRefuseIsAnInputError) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  auto spec = msgsend_spec(doc["msgsend_go_vectors"]);
  const auto key = signer(doc, 0);
  spec.memo = std::string(tx::kMaxMemoBytes, 'm');
  EXPECT_TRUE(tx::sign_tx(spec, key).ok());
  for (const std::string& memo : {std::string(tx::kMaxMemoBytes + 1, 'm'), std::string("caf\xC3"),
                                  std::string("\xED\xA0\x80"), std::string("\xC0\xAF")}) {
    spec.memo = memo;
    auto r = tx::sign_tx(spec, key);
    ASSERT_FALSE(r.ok()) << memo.size();
    EXPECT_EQ(r.error().code, "INVALID_TX");
    EXPECT_EQ(r.error().kind, ErrorKind::kInput);
    EXPECT_NE(r.error().message.find("memo"), std::string::npos) << r.error().message;
  }
  spec.memo = "caf\xC3\xA9 \xF0\x9F\x94\x92";  // café and a 4-byte emoji
  EXPECT_TRUE(tx::sign_tx(spec, key).ok());
}

TEST(SignDirect, UnregisteredCustomMessageVector) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  const auto& v = doc["custom_msg_vector"];
  tx::TxSpec spec;
  spec.messages.push_back(tx::AnyMessage{v["message_any_type_url"], hex_bytes(v["message_value"])});
  spec.fee = fee_of(v["fee"], v["gas_limit"]);
  spec.chain_id = v["chain_id"];
  spec.account_number = v["account_number"];
  spec.sequence = v["sequence"];
  auto signed_tx = tx::sign_tx(spec, signer(doc, v["signer_mnemonic_index"]));
  ASSERT_TRUE(signed_tx.ok());
  EXPECT_EQ(to_hex(signed_tx->body_bytes), v["body_bytes"].get<std::string>());
  EXPECT_EQ(to_hex(signed_tx->auth_info_bytes), v["auth_info_bytes"].get<std::string>());
  EXPECT_EQ(to_hex(signed_tx->sign_bytes), v["sign_bytes"].get<std::string>());
  EXPECT_EQ(to_hex(signed_tx->signature), v["signature"].get<std::string>());
  EXPECT_EQ(to_hex(signed_tx->tx_raw), v["tx_raw"].get<std::string>());
  EXPECT_EQ(signed_tx->hash, v["txhash"].get<std::string>());
}

TEST(SignDirect, DecodeRoundTripAndSimulationShape) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  const auto& c = doc["msgsend_go_vectors"]["cases"][1];
  auto decoded = tx::decode_tx_raw(hex_bytes(c["tx_raw"]));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  ASSERT_EQ(decoded->messages.size(), 1u);
  EXPECT_EQ(decoded->messages[0].type_url, tx::kMsgSendType);
  EXPECT_EQ(decoded->sequences, std::vector<std::uint64_t>{1});
  EXPECT_EQ(decoded->fee.gas_limit, 200000u);
  EXPECT_EQ(decoded->fee.amount, (std::vector<tx::Coin>{{"ucosm", "2000"}}));
  ASSERT_EQ(decoded->signatures.size(), 1u);
  EXPECT_EQ(to_hex(decoded->signatures[0]), c["signature"].get<std::string>());

  const auto key = signer(doc, 1);
  auto spec = msgsend_spec(doc["msgsend_go_vectors"]);
  spec.sequence = 4;
  auto sim = tx::decode_tx_raw(tx::build_simulation_tx(spec, key.public_key));
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->signatures, std::vector<Bytes>{Bytes{}});
  EXPECT_EQ(sim->sequences, std::vector<std::uint64_t>{4});
  EXPECT_EQ(sim->fee.gas_limit, 0u);
  EXPECT_EQ(sim->fee.amount, spec.fee.amount);  // the fee deduction is simulated too
  spec.fee.amount.clear();
  auto no_fee = tx::decode_tx_raw(tx::build_simulation_tx(spec, key.public_key));
  ASSERT_TRUE(no_fee.ok());
  EXPECT_TRUE(no_fee->fee.amount.empty());
}

TEST(SignDirect, RejectsNonAdr027Envelopes) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  const Bytes good = hex_bytes(doc["msgsend_go_vectors"]["cases"][0]["tx_raw"]);
  ASSERT_TRUE(tx::decode_tx_raw(good).ok());
  // Non-minimal length varint for field 1: 0a 93 01 -> 0a 93 81 00 is not possible in place, so build
  // small envelopes by hand.
  EXPECT_FALSE(tx::decode_tx_raw(Bytes{0x12, 0x00, 0x0a, 0x00}).ok());  // field 2 before 1
  EXPECT_FALSE(tx::decode_tx_raw(Bytes{0x0a, 0x80, 0x00}).ok());        // non-minimal length
  EXPECT_FALSE(tx::decode_tx_raw(Bytes{0x0a, 0x00, 0x22, 0x00}).ok());  // unknown field 4
  EXPECT_FALSE(tx::decode_tx_raw(Bytes{0x0a, 0x05, 0x00}).ok());        // truncated
  EXPECT_FALSE(tx::decode_tx_raw(Bytes{0x0a, 0x00, 0x0a, 0x00}).ok());  // field 1 twice
  EXPECT_FALSE(tx::decode_tx_raw(Bytes{0x08, 0x01}).ok());              // wrong wire type
}

TEST(SignDirect, RefusesEmptyOrUnchainedSpecs) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  const auto key = signer(doc, 0);
  tx::TxSpec spec;
  spec.chain_id = "c";
  spec.fee.gas_limit = 1;
  EXPECT_EQ(tx::sign_tx(spec, key).error().code, "INVALID_TX");
  spec.messages.push_back(tx::make_msg_send("a", "b", {}));
  spec.chain_id = "";
  EXPECT_EQ(tx::sign_tx(spec, key).error().code, "INVALID_TX");
}

TEST(Coins, ParseRules) {
  auto c = tx::parse_coins("5uatom,1000ustake");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(tx::format_coins(*c), "5uatom,1000ustake");
  auto sorted = tx::parse_coins("1000ustake,5uatom");
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ((*sorted)[0].denom, "uatom");
  EXPECT_TRUE(tx::parse_coins("").ok());
  EXPECT_TRUE(tx::parse_coin("1ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2").ok());
  for (const char* bad : {"ustake", "10", "01ustake", "10u", "10ustake,", "-1ustake", "1.5ustake",
                          "10 ustake", "1ustake,2ustake", "0ustake"})
    EXPECT_FALSE(tx::parse_coins(bad).ok()) << bad;
}

// sign_tx hashes the SignDoc/TxRaw shared prefix once and copies the SHA-256 state: the results must be
// exactly the one-shot digests, for the full-size attestation transaction the relayer signs.
TEST(SignDirect, AttestationTxSharedPrefixHashingMatchesOneShot) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  const auto key = signer(doc, 1);
  tx::SubmitAttestation msg;
  msg.relayer = "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6";
  msg.operator_address = "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8";
  msg.epoch = 77;
  msg.report.assign(1184, 0x5a);
  msg.vcek_der.assign(1360, 0x30);
  msg.vcek_sha256.assign(32, 0xab);
  msg.allowlist_version = 3;
  for (const std::uint64_t account_number : {0ull, 12ull, 1ull << 40}) {
    tx::TxSpec spec;
    spec.messages.push_back(tx::make_msg_submit_attestation(msg));
    spec.memo = account_number == 12 ? "epoch 77" : "";
    spec.fee.amount.push_back({"ustake", "5000"});
    spec.fee.gas_limit = 400000;
    spec.chain_id = "snp-devnet-1";
    spec.account_number = account_number;
    spec.sequence = account_number + 1;
    auto signed_tx = tx::sign_tx(spec, key);
    ASSERT_TRUE(signed_tx.ok());
    EXPECT_EQ(signed_tx->sign_bytes, tx::encode_sign_doc(signed_tx->body_bytes, signed_tx->auth_info_bytes,
                                                         spec.chain_id, account_number));
    const Bytes sigs[] = {Bytes(signed_tx->signature.begin(), signed_tx->signature.end())};
    EXPECT_EQ(signed_tx->tx_raw, tx::encode_tx_raw(signed_tx->body_bytes, signed_tx->auth_info_bytes, sigs));
    EXPECT_EQ(signed_tx->hash, tx::tx_hash(signed_tx->tx_raw));
    EXPECT_TRUE(
        crypto::verify_digest(key.public_key, crypto::sha256(signed_tx->sign_bytes), signed_tx->signature));
    auto decoded = tx::decode_tx_raw(signed_tx->tx_raw);
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    ASSERT_EQ(decoded->messages.size(), 1u);
    EXPECT_EQ(decoded->messages[0].value, spec.messages[0].value);
    EXPECT_EQ(decoded->sequences, std::vector<std::uint64_t>{account_number + 1});
  }
  crypto::Sha256Stream a;
  a.update(Bytes{1, 2, 3});
  crypto::Sha256Stream b(a);
  a.update(Bytes{4});
  b.update(Bytes{5});
  EXPECT_EQ(a.finish(), crypto::sha256(Bytes{1, 2, 3, 4}));
  EXPECT_EQ(b.finish(), crypto::sha256(Bytes{1, 2, 3, 5}));
}

}  // namespace
}  // namespace snprelay::chain
