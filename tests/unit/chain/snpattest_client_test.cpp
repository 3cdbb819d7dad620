// snpattest query rendering (chain/rpc/snpattest_queries) and delivered-result reporting
// (chain/rpc/tx_delivery), in process. Response bytes are built by a hand encoder independent of the
// generated classes; the ChainClient is a scripted in-memory double (no sockets).
#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>

#include "chain/keys/account_key.hpp"
#include "chain/rpc/json_rpc.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "chain/rpc/tx_delivery.hpp"

namespace snprelay::chain::rpc {
namespace {

using nlohmann::json;

// ---- a tiny protobuf writer ----------------------------------------------------------------
void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
std::string f_bytes(int field, const std::string& b) {
  std::string out;
  varint(out, static_cast<std::uint64_t>(field) << 3 | 2);
  varint(out, b.size());
  return out + b;
}
std::string f_uint(int field, std::uint64_t v) {
  std::string out;
  varint(out, static_cast<std::uint64_t>(field) << 3);
  varint(out, v);
  return out;
}
Bytes as_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

const std::string kOperator = "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8";

json decode(SnpQuery kind, const std::string& bytes) {
  SnpQueryRequest q{kind, kOperator, 0, 0};
  auto text = decode_snp_query_json(q, as_bytes(bytes));
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().to_string());
  return text.ok() ? json::parse(*text) : json();
}

TEST(SnpQueries, PathsAndRequestBytes) {
  EXPECT_EQ(snp_query_path(SnpQuery::kCurrentEpoch), "/snpattest.v1.Query/CurrentEpoch");
  EXPECT_EQ(snp_query_path(SnpQuery::kStatus), "/snpattest.v1.Query/OperatorStatus");
  EXPECT_EQ(snp_query_path(SnpQuery::kSigners), "/snpattest.v1.Query/AllowlistSigners");
  EXPECT_TRUE(encode_snp_query({SnpQuery::kCurrentEpoch, "", 0, 0}).empty());
  EXPECT_EQ(encode_snp_query({SnpQuery::kStatus, kOperator, 0, 0}), as_bytes(f_bytes(1, kOperator)));
  EXPECT_EQ(encode_snp_query({SnpQuery::kAttestation, kOperator, 7, 0}),
            as_bytes(f_bytes(1, kOperator) + f_uint(2, 7)));
  EXPECT_EQ(encode_snp_query({SnpQuery::kAllowlist, "", 0, 3}), as_bytes(f_uint(1, 3)));
}

std::string repeat_hex(const char* byte_hex, int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += byte_hex;
  return s;
}

TEST(SnpQueries, CurrentEpochIsFlatWithBlocksRemaining) {
  const std::string epoch =
      f_uint(1, 42) + f_bytes(2, std::string(32, '\xab')) + f_uint(3, 420) + f_uint(4, 425) + f_uint(5, 1);
  const json j = decode(SnpQuery::kCurrentEpoch, f_bytes(1, epoch) + f_uint(2, 3));
  EXPECT_EQ(j, json::parse(R"({"epoch":42,"nonce":")" + repeat_hex("ab", 32) +
                           R"(","start_height":420,"deadline_height":425,"allowlist_version":1,)"
                           R"("blocks_remaining":3})"));
}

TEST(SnpQueries, CurrentEpochKeepsFieldOrder) {
  SnpQueryRequest q{SnpQuery::kCurrentEpoch, "", 0, 0};
  const std::string epoch = f_uint(1, 1) + f_bytes(2, std::string(32, '\0'));
  auto text = decode_snp_query_json(q, as_bytes(f_bytes(1, epoch)));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            R"({"epoch":1,"nonce":")" + std::string(64, '0') +
                R"(","start_height":0,"deadline_height":0,"allowlist_version":0,"blocks_remaining":0})");
}

TEST(SnpQueries, OperatorStatusEnumByNameBytesHexNested) {
  const std::string tcb = f_bytes(1, "Milan") + f_uint(2, 3) + f_uint(4, 8) + f_uint(5, 115);
  const std::string status = f_bytes(1, kOperator) + f_uint(2, 1) + f_uint(3, 9) + f_uint(4, 11) +
                             f_bytes(5, std::string(48, '\x0f')) + f_bytes(6, tcb) + f_bytes(7, "cosmos1x") +
                             f_uint(10, 1);
  const json j = decode(SnpQuery::kStatus, f_bytes(1, status));
  EXPECT_EQ(j["operator"], kOperator);
  EXPECT_EQ(j["status"], "ATTESTED");
  EXPECT_EQ(j["last_epoch"], 9);
  EXPECT_EQ(j["valid_until_epoch"], 11);
  EXPECT_EQ(j["measurement"], repeat_hex("0f", 48));
  EXPECT_EQ(j["reported_tcb"]["product"], "Milan");
  EXPECT_EQ(j["reported_tcb"]["boot_loader"], 3);
  EXPECT_EQ(j["reported_tcb"]["microcode"], 115);
  EXPECT_EQ(j["reported_tcb"]["fmc"], 0);
  EXPECT_EQ(j["consecutive_misses"], 0);
  EXPECT_EQ(j["reason"], "");
  EXPECT_EQ(j["simulated"], true);

  for (const auto& [number, name] :
       std::vector<std::pair<int, json>>{{0, "UNSPECIFIED"}, {2, "STALE"}, {3, "REVOKED"}, {9, 9}}) {
    const json s = decode(SnpQuery::kStatus, f_bytes(1, f_uint(2, static_cast<std::uint64_t>(number))));
    EXPECT_EQ(s["status"], name) << number;
  }
}

TEST(SnpQueries, AbsentAndUndecodableAnswers) {
  SnpQueryRequest q{SnpQuery::kStatus, kOperator, 0, 0};
  auto empty = decode_snp_query_json(q, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "NOT_FOUND");
  EXPECT_NE(empty.error().message.find(kOperator), std::string::npos);
  auto garbage = decode_snp_query_json(q, as_bytes("\x0a\xff\xff"));
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, "BAD_QUERY_REPLY");
  auto no_epoch = decode_snp_query_json({SnpQuery::kCurrentEpoch, "", 0, 0}, {});
  ASSERT_FALSE(no_epoch.ok());
  EXPECT_EQ(no_epoch.error().code, "NOT_FOUND");
  auto no_relayer = decode_snp_query_json({SnpQuery::kRelayer, kOperator, 0, 0}, {});
  ASSERT_FALSE(no_relayer.ok());
  EXPECT_EQ(no_relayer.error().code, "NOT_FOUND");
}

TEST(SnpQueries, ParamsRepeatedAndLargeNumbers) {
  const std::string params = f_uint(1, 10) + f_uint(2, 5) + f_uint(3, 1) + f_uint(6, 2) + f_uint(6, 3) +
                             f_bytes(7, "Milan") + f_bytes(7, "Genoa") + f_uint(12, 0x8000000000000001ULL) +
                             f_bytes(14, "\x30\x01") + f_bytes(14, "\x30\x02");
  const json j = decode(SnpQuery::kParams, f_bytes(1, params));
  EXPECT_EQ(j["epoch_blocks"], 10);
  EXPECT_EQ(j["accept_previous_epoch"], true);
  EXPECT_EQ(j["allowed_report_versions"], json::parse("[2,3]"));
  EXPECT_EQ(j["allowed_products"], json::parse(R"(["Milan","Genoa"])"));
  EXPECT_EQ(j["allowed_vmpls"], json::array());
  EXPECT_EQ(j["max_vcek_bytes"].get<std::uint64_t>(), 0x8000000000000001ULL);
  EXPECT_EQ(j["simulated_roots"], json::parse(R"(["3001","3002"])"));
  EXPECT_EQ(j["allow_debug"], false);

  const json r = decode(SnpQuery::kRelayer, f_bytes(1, "cosmos1relayer"));
  EXPECT_EQ(r, json::parse(R"({"operator":")" + kOperator + R"(","relayer":"cosmos1relayer"})"));

  const std::string signer = f_bytes(1, "gov-1") + f_bytes(2, std::string(33, '\x02'));
  const json s = decode(SnpQuery::kSigners, f_bytes(1, signer) + f_uint(2, 2) + f_uint(3, 1));
  EXPECT_EQ(s["threshold"], 2);
  EXPECT_EQ(s["set_version"], 1);
  EXPECT_EQ(s["signers"][0]["key_id"], "gov-1");
  EXPECT_EQ(s["signers"][0]["pubkey"].get<std::string>().size(), 66u);
}

TEST(BlockReply, HashesDecodedFromUpperCaseHex) {
  const std::string body = R"({"jsonrpc":"2.0","id":1,"result":{"block_id":{"hash":"0A0B","parts":{}},)"
                           R"("block":{"header":{"height":"20","time":"2026-12-01T00:00:00Z",)"
                           R"("last_block_id":{"hash":"FF00"},"app_hash":""},"data":{"txs":["AA=="]}}}})";
  auto b = parse_block_reply(body);
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_EQ(b->height, 20);
  EXPECT_EQ(b->hash, (Bytes{0x0a, 0x0b}));
  EXPECT_EQ(b->last_block_hash, (Bytes{0xff, 0x00}));
  EXPECT_TRUE(b->app_hash.empty());
  EXPECT_EQ(b->tx_count, 1u);
  EXPECT_FALSE(parse_block_reply(R"({"jsonrpc":"2.0","id":1,"result":{"block_id":{"hash":"ZZ"}}})").ok());
}

// ---- a scripted ChainClient ------------------------------------------------------------------
class ScriptedClient final : public ChainClient {
 public:
  std::deque<AbciQueryResult> queries;  // answered in order (Account, Simulate, ...)
  std::vector<std::string> paths;
  BroadcastResult check{0, "", "", "AB"};
  std::deque<std::optional<TxResult>> polls;
  int broadcasts = 0;
  int tx_calls = 0;

  Result<NodeStatus> status() override { return NodeStatus{"testchain-1", "0.38.26", "n", 1, "", false}; }
  Result<AbciQueryResult> abci_query(const std::string& path, const Bytes&, std::int64_t) override {
    paths.push_back(path);
    if (path == "/cosmos.auth.v1beta1.Query/Account") {
      const std::string base = f_bytes(1, "cosmos1x") + f_uint(3, 4) + f_uint(4, 7);
      const std::string any = f_bytes(1, "/cosmos.auth.v1beta1.BaseAccount") + f_bytes(2, base);
      return AbciQueryResult{0, "", "", as_bytes(f_bytes(1, any)), 5};
    }
    if (queries.empty())
      return make_error("rpc", "TRANSPORT", "unscripted query " + path);
    auto r = queries.front();
    queries.pop_front();
    return r;
  }
  Result<BroadcastResult> broadcast_tx_sync(const Bytes&) override {
    ++broadcasts;
    return check;
  }
  Result<std::optional<TxResult>> tx(const std::string&) override {
    ++tx_calls;
    if (polls.empty())
      return std::optional<TxResult>();
    auto r = polls.front();
    polls.pop_front();
    return r;
  }
};

keys::AccountKey test_key() {
  return std::move(*keys::account_key_from_mnemonic(
      SecretBytes::from_string(
          "special sign fit simple patrol salute grocery chicken wheat radar tonight ceiling"),
      SecretBytes(), "m/44'/118'/0'/0/0"));
}

SubmitterOptions fast_options() {
  SubmitterOptions o;
  o.chain_id = "testchain-1";
  o.simulate_gas = false;
  o.default_gas = 100000;
  o.confirm_timeout = std::chrono::milliseconds(200);
  o.poll_interval = std::chrono::milliseconds(1);
  return o;
}

const std::vector<tx::AnyMessage> kMsgs = {{"/snpattest.v1.MsgSetRelayer", Bytes{0x0a, 0x01, 0x61}}};

TEST(SnpQueries, ChainErrorsMapToNotFoundOrQueryFailed) {
  ScriptedClient c;
  c.queries.push_back({22, "sdk", "rpc error: code = NotFound desc = no status for operator", {}, 5});
  c.queries.push_back({1, "undefined", "rpc error: code = NotFound desc = x", {}, 5});
  c.queries.push_back({18, "sdk", "rpc error: code = InvalidArgument desc = bad operator", {}, 5});
  SnpQueryRequest q{SnpQuery::kStatus, kOperator, 0, 0};
  auto a = query_snpattest_json(c, q);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, "NOT_FOUND");
  EXPECT_NE(a.error().message.find("(sdk 22)"), std::string::npos) << a.error().message;
  auto b = query_snpattest_json(c, q);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, "NOT_FOUND");
  auto d = query_snpattest_json(c, q);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "QUERY_FAILED");
  EXPECT_NE(d.error().message.find("InvalidArgument"), std::string::npos);
  ASSERT_EQ(c.paths.size(), 3u);
  EXPECT_EQ(c.paths[0], "/snpattest.v1.Query/OperatorStatus");
}

TEST(TxDelivery, ExecutedOnlyWhenDeliveredWithCodeZero) {
  ScriptedClient c;
  c.polls = {std::nullopt, TxResult{"AB", 12, 0, "", "", 100000, 61234}};
  TxSubmitter s(c, test_key(), fast_options());
  auto d = deliver(s, kMsgs, "");
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_TRUE(d->executed());
  EXPECT_EQ(d->height, 12);
  EXPECT_EQ(d->gas_used, 61234);
  EXPECT_EQ(d->sequence, 7u);
  EXPECT_EQ(c.tx_calls, 2);
}

TEST(TxDelivery, ModuleRefusalInBlockIsReportedWithCodespace) {
  ScriptedClient c;
  c.polls = {TxResult{"AB", 13, 4, "snpattest", "duplicate submission: operator x epoch 3", 1, 1}};
  TxSubmitter s(c, test_key(), fast_options());
  auto d = deliver(s, kMsgs, "");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->executed());
  EXPECT_EQ(d->stage, Delivery::Stage::kDelivered);
  const Error e = refusal(*d);
  EXPECT_EQ(e.code, "TX_REJECTED");
  EXPECT_NE(e.message.find("snpattest code 4: duplicate submission"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("block 13"), std::string::npos) << e.message;
}

TEST(TxDelivery, CheckTxRefusalIsNotPolled) {
  ScriptedClient c;
  c.check = {13, "sdk", "insufficient fees; got: 0stake required: 2500stake", "AB"};
  TxSubmitter s(c, test_key(), fast_options());
  auto d = deliver(s, kMsgs, "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->stage, Delivery::Stage::kCheckTx);
  EXPECT_FALSE(d->executed());
  EXPECT_EQ(c.tx_calls, 0);
  EXPECT_EQ(refusal(*d).code, "INSUFFICIENT_FEE");
  EXPECT_NE(refusal(*d).message.find("sdk code 13"), std::string::npos);
}

TEST(TxDelivery, NoBlockBeforeTheDeadlineIsAnError) {
  ScriptedClient c;
  TxSubmitter s(c, test_key(), fast_options());
  auto d = deliver(s, kMsgs, "");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "CONFIRM_TIMEOUT");
  EXPECT_GE(c.tx_calls, 2);
}

}  // namespace
}  // namespace snprelay::chain::rpc
