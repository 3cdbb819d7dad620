// Pure pieces of the online path: the CheckTx code -> Error mapping, the `tx broadcast` file forms, and
// the snpattest CurrentEpoch / bank AllBalances decoders (bytes from the network).
#include <gtest/gtest.h>

#include <string>

#include "chain/rpc/chain_errors.hpp"
#include "chain/rpc/json_rpc.hpp"
#include "chain/rpc/queries.hpp"
#include "chain/tx/sign_direct.hpp"
#include "chain/tx/wire.hpp"
#include "tests/unit/chain/vectors.hpp"

namespace snprelay::chain {
namespace {

Bytes as_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

// A node reply with a key twice is not read as whichever copy came last (issue 21: one strict JSON
// reader): "code" 0 then "code" 5 must not pass as an accepted broadcast, nor the reverse.
TEST(NodeReplies, AReplyWithADuplicateKeyIsABadReply) {
  const std::string twice =
      R"({"jsonrpc":"2.0","id":1,"result":{"code":0,"code":5,"data":"","log":"","codespace":"","hash":"AB"}})";
  auto r = rpc::parse_broadcast_reply(twice);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BAD_REPLY");
  EXPECT_NE(r.error().message.find("\"code\" appears twice"), std::string::npos) << r.error().message;
  const std::string once =
      R"({"jsonrpc":"2.0","id":1,"result":{"code":0,"data":"","log":"","codespace":"","hash":"AB"}})";
  EXPECT_TRUE(rpc::parse_broadcast_reply(once).ok());
}

TEST(ChainErrors, CheckTxCodesMapToStableNames) {
  const auto e = rpc::checktx_rejection(
      {32, "sdk", "account sequence mismatch, expected 9, got 5: incorrect account sequence", "ABCD"});
  EXPECT_EQ(e.component, "chain");
  EXPECT_EQ(e.code, "INCORRECT_ACCOUNT_SEQUENCE");
  EXPECT_NE(e.message.find("(sdk 32)"), std::string::npos);
  EXPECT_NE(e.message.find("expected 9, got 5"), std::string::npos);
  EXPECT_NE(e.message.find("ABCD"), std::string::npos);
  EXPECT_EQ(rpc::checktx_rejection({13, "sdk", "insufficient fee", "X"}).code, "INSUFFICIENT_FEE");
  EXPECT_EQ(rpc::checktx_rejection({4, "sdk", "", "X"}).code, "UNAUTHORIZED");
  EXPECT_EQ(rpc::checktx_rejection({5, "sdk", "", "X"}).code, "INSUFFICIENT_FUNDS");
  EXPECT_EQ(rpc::checktx_rejection({11, "sdk", "", "X"}).code, "OUT_OF_GAS");
  // Module codespaces keep their pair in the message but get the generic code.
  const auto module = rpc::checktx_rejection({5, "snpattest", "relayer not registered", "X"});
  EXPECT_EQ(module.code, "TX_REJECTED");
  EXPECT_NE(module.message.find("(snpattest 5)"), std::string::npos);
  EXPECT_EQ(rpc::delivery_failure({"H", 7, 11, "sdk", "out of gas", 1, 2}).code, "OUT_OF_GAS");
  EXPECT_EQ(rpc::mempool_rejection_code(make_error("rpc", "MEMPOOL_DUPLICATE", "")), 19u);
  EXPECT_EQ(rpc::mempool_rejection_code(make_error("rpc", "MEMPOOL_FULL", "")), 20u);
  EXPECT_EQ(rpc::mempool_rejection_code(make_error("rpc", "TX_TOO_LARGE", "")), 21u);
  EXPECT_FALSE(rpc::mempool_rejection_code(make_error("rpc", "TRANSPORT", "")).has_value());
}

TEST(TxFile, HexBinaryAndOfflineOutputForms) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  const auto& v = doc["msgsend_go_vectors"]["cases"][0];
  const std::string hex = v["tx_raw"];
  const Bytes raw = testing::hex_bytes(hex);
  ASSERT_FALSE(raw.empty());
  EXPECT_EQ(*tx::tx_bytes_from_file_contents(as_bytes(hex + "\n")), raw);
  EXPECT_EQ(*tx::tx_bytes_from_file_contents(as_bytes("  0x" + hex + "\r\n")), raw);
  EXPECT_EQ(*tx::tx_bytes_from_file_contents(raw), raw);  // binary, starts with 0x0a
  // Exactly what `tx send --offline` prints: hex, newline, hash.
  EXPECT_EQ(*tx::tx_bytes_from_file_contents(as_bytes(hex + "\n" + tx::tx_hash(raw) + "\n")), raw);
  EXPECT_FALSE(tx::tx_bytes_from_file_contents(as_bytes(hex + "\n" + std::string(64, 'A'))).ok());
  EXPECT_FALSE(tx::tx_bytes_from_file_contents(as_bytes(hex + " a b")).ok());
  EXPECT_FALSE(tx::tx_bytes_from_file_contents(as_bytes(hex.substr(1))).ok());
  EXPECT_FALSE(tx::tx_bytes_from_file_contents(as_bytes("\n\n")).ok());
  EXPECT_FALSE(tx::tx_bytes_from_file_contents(Bytes{}).ok());
  for (const char* nothing : {"0x", "0X\n"}) {  // fuzz finding: hex text of zero bytes
    const auto r = tx::tx_bytes_from_file_contents(as_bytes(nothing));
    ASSERT_FALSE(r.ok()) << nothing;
    EXPECT_EQ(r.error().code, "INVALID_TX");
  }
}

TEST(Queries, DecodeCurrentEpochAndAllBalances) {
  // QueryCurrentEpochResponse{1: NonceEpoch{1: 42, 2: nonce(32 x 0x11), 3: 600, 4: 700, 5: 3}, 2: 55}
  std::string epoch = "\x08\x2a\x12\x20" + std::string(32, '\x11') + "\x18\xd8\x04\x20\xbc\x05\x28\x03";
  std::string resp = "\x0a" + std::string(1, static_cast<char>(epoch.size())) + epoch + "\x10\x37";
  auto e = rpc::decode_current_epoch(as_bytes(resp));
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(e->epoch, 42u);
  EXPECT_EQ(e->nonce, Bytes(32, 0x11));
  EXPECT_EQ(e->start_height, 600);
  EXPECT_EQ(e->deadline_height, 700);
  EXPECT_EQ(e->allowlist_version, 3u);
  EXPECT_EQ(e->blocks_remaining, 55);
  EXPECT_EQ(rpc::decode_current_epoch(Bytes{}).error().code, "NO_EPOCH");
  EXPECT_EQ(rpc::decode_current_epoch(as_bytes("\x0a\x04\x12\x02\x01\x02")).error().code, "BAD_QUERY_REPLY");
  EXPECT_EQ(rpc::decode_current_epoch(as_bytes("\x0a\x7f")).error().code, "BAD_QUERY_REPLY");

  // QueryAllBalancesResponse{1: Coin{ustake, 10}, 1: Coin{uatom, 5}, 2: PageResponse{1: "k"}}
  const std::string c1 =
      "\x0a\x06ustake\x12\x02"
      "10";
  const std::string c2 =
      "\x0a\x05uatom\x12\x01"
      "5";
  const std::string all = "\x0a" + std::string(1, static_cast<char>(c1.size())) + c1 + "\x0a" +
                          std::string(1, static_cast<char>(c2.size())) + c2 + "\x12\x03\x0a\x01k";
  auto page = rpc::decode_all_balances(as_bytes(all));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->balances.size(), 2u);
  EXPECT_EQ(page->balances[0], (tx::Coin{"ustake", "10"}));
  EXPECT_EQ(page->balances[1], (tx::Coin{"uatom", "5"}));
  EXPECT_EQ(page->next_key, Bytes{'k'});
}

}  // namespace
}  // namespace snprelay::chain
