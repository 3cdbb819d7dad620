// A stateful fake Cosmos chain behind the loopback FakeNode, for end-to-end tests of `snprelay query`
// and `snprelay tx` (and the library underneath). It keeps accounts (number, sequence, balances) and
// plays the parts of a CometBFT v0.38 + SDK 0.50 node that the relayer touches:
//   status                                network = chain id, fresh block time, not catching up;
//   abci_query Account / Balance / AllBalances / Simulate / snpattest CurrentEpoch (gRPC-over-ABCI
//                                         paths, protobuf request and response bytes);
//   broadcast_tx_sync                     decodes the TxRaw, verifies the secp256k1 signature over the
//                                         SignDoc with the chain id and the account number (code 4 on
//                                         failure), checks the sequence (code 32 "account sequence
//                                         mismatch, expected E, got G"), applies an optional scripted
//                                         rejection, then admits the tx and increments the sequence;
//   tx                                    "not found" for `confirm_after_polls` polls, then included.
// `reported_sequence` makes the Account query lie (a node behind its own mempool) so the code-32
// resync path can be driven. Everything is guarded by one mutex; the server thread is FakeNode's.
#pragma once

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chain/crypto/hash.hpp"
#include "chain/crypto/secp256k1.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/tx/sign_direct.hpp"
#include "common/hex.hpp"
#include "tests/integration/chain/fake_node.hpp"

namespace snprelay::testing {

// ---- minimal protobuf and base64 helpers (independent of chain/'s encoders) --------------------
inline void pb_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
inline void pb_bytes(std::string& out, int field, const std::string& b) {
  pb_varint(out, static_cast<std::uint64_t>(field) << 3 | 2);
  pb_varint(out, b.size());
  out += b;
}
inline void pb_uint(std::string& out, int field, std::uint64_t v) {
  if (v == 0)
    return;
  pb_varint(out, static_cast<std::uint64_t>(field) << 3);
  pb_varint(out, v);
}
// The length-delimited fields of a flat message (field number -> last value); varints are skipped.
inline std::map<int, std::string> pb_fields(const std::string& in) {
  std::map<int, std::string> out;
  std::size_t pos = 0;
  auto varint = [&](std::uint64_t& v) {
    v = 0;
    for (int shift = 0; pos < in.size() && shift < 64; shift += 7) {
      const auto b = static_cast<std::uint8_t>(in[pos++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return true;
    }
    return false;
  };
  std::uint64_t tag = 0;
  while (pos < in.size() && varint(tag)) {
    std::uint64_t v = 0;
    if ((tag & 7) == 0) {
      if (!varint(v))
        break;
    } else if ((tag & 7) == 2) {
      if (!varint(v) || v > in.size() - pos)
        break;
      out[static_cast<int>(tag >> 3)] = in.substr(pos, v);
      pos += v;
    } else {
      break;
    }
  }
  return out;
}
inline std::string b64_encode(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6)
      out += k[(v >> s) & 63];
  }
  const std::size_t rest = in.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2)
      v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += rest == 2 ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}
inline std::string b64_decode(const std::string& in) {
  static const std::string k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const char c : in) {
    const auto pos = k.find(c);
    if (pos == std::string::npos)
      break;
    acc = (acc << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}
inline std::string hex_upper(const std::string& bytes) {
  static const char* k = "0123456789ABCDEF";
  std::string out;
  for (const char c : bytes) {
    out += k[static_cast<unsigned char>(c) >> 4];
    out += k[static_cast<unsigned char>(c) & 15];
  }
  return out;
}
inline std::string rfc3339_now() {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
  return buf;
}
inline std::string abci_value_reply(std::uint32_t code, const std::string& log, const std::string& value) {
  return ok_result({{"response",
                     {{"code", code},
                      {"log", log},
                      {"info", ""},
                      {"index", "0"},
                      {"key", nullptr},
                      {"value", value.empty() ? nlohmann::json(nullptr) : nlohmann::json(b64_encode(value))},
                      {"proofOps", nullptr},
                      {"height", "1234"},
                      {"codespace", code ? "sdk" : ""}}}});
}

class FakeChain {
 public:
  struct Account {
    std::uint64_t number = 0;
    std::uint64_t sequence = 0;
    std::optional<std::uint64_t> reported_sequence;  // what the Account query says, if it lies
    std::map<std::string, std::string> balances;     // denom -> amount
  };
  struct Epoch {
    std::uint64_t epoch = 0;
    std::string nonce;  // 32 bytes
    std::int64_t start_height = 0;
    std::int64_t deadline_height = 0;
    std::uint64_t allowlist_version = 0;
    std::int64_t blocks_remaining = 0;
  };
  struct Broadcast {
    std::uint64_t sequence = 0;
    std::uint64_t gas_limit = 0;
    std::uint32_t code = 0;
    std::string hash;
  };

  explicit FakeChain(std::string chain_id)
      : chain_id_(std::move(chain_id)),
        node_([this](const std::string& method, const nlohmann::json& req) { return handle(method, req); }) {}

  [[nodiscard]] std::string url() const { return node_.url(); }
  [[nodiscard]] FakeNode& node() { return node_; }

  void set_account(const std::string& address, Account a) {
    std::lock_guard lock(mu_);
    accounts_[address] = std::move(a);
  }
  [[nodiscard]] Account account(const std::string& address) {
    std::lock_guard lock(mu_);
    return accounts_[address];
  }
  void set_epoch(Epoch e) {
    std::lock_guard lock(mu_);
    epoch_ = std::move(e);
  }
  // The next broadcasts are rejected with this CheckTx code/log (codespace sdk) after the checks.
  void reject_with(std::uint32_t code, std::string log) {
    std::lock_guard lock(mu_);
    reject_code_ = code;
    reject_log_ = std::move(log);
  }
  void set_simulated_gas(std::uint64_t gas) {
    std::lock_guard lock(mu_);
    simulated_gas_ = gas;
  }
  // Simulate answers like a node whose CheckTx state is ahead: "account sequence mismatch" when the
  // simulated tx's sequence differs from the account's (code 6 with the SDK text in the log).
  void fail_simulation_with_sequence(bool on) {
    std::lock_guard lock(mu_);
    simulate_checks_sequence_ = on;
  }
  // `tx` then reports every included tx as out of gas (sdk code 11, gas used above the limit).
  void deliver_out_of_gas(bool on) {
    std::lock_guard lock(mu_);
    out_of_gas_ = on;
  }
  void set_confirm_after_polls(int polls) {
    std::lock_guard lock(mu_);
    confirm_after_polls_ = polls;
  }
  [[nodiscard]] std::vector<Broadcast> broadcasts() {
    std::lock_guard lock(mu_);
    return broadcasts_;
  }
  [[nodiscard]] std::vector<std::string> abci_paths() {
    std::lock_guard lock(mu_);
    return abci_paths_;
  }

 private:
  FakeReply handle(const std::string& method, const nlohmann::json& req) {
    std::lock_guard lock(mu_);
    const nlohmann::json params =
        req.is_object() && req.contains("params") ? req["params"] : nlohmann::json{};
    if (method == "status")
      return FakeReply{status_reply(chain_id_, rfc3339_now(), false)};
    if (method == "abci_query")
      return FakeReply{abci_query(params.value("path", ""), params.value("data", ""))};
    if (method == "broadcast_tx_sync")
      return FakeReply{broadcast(b64_decode(params.value("tx", "")))};
    if (method == "tx")
      return FakeReply{tx(hex_upper(b64_decode(params.value("hash", ""))))};
    return FakeReply{rpc_error("Method not found", method)};
  }

  std::string abci_query(const std::string& path, const std::string& data_hex) {
    abci_paths_.push_back(path);
    auto raw = from_hex(data_hex);
    const std::string data = raw ? std::string(raw->begin(), raw->end()) : std::string();
    const auto fields = pb_fields(data);
    const std::string address = fields.contains(1) ? fields.at(1) : "";
    if (path == "/cosmos.auth.v1beta1.Query/Account") {
      if (!accounts_.contains(address))
        return abci_value_reply(
            22, "rpc error: code = NotFound desc = account " + address + " not found: key not found", "");
      const Account& a = accounts_[address];
      std::string base;
      pb_bytes(base, 1, address);
      pb_uint(base, 3, a.number);
      pb_uint(base, 4, a.reported_sequence.value_or(a.sequence));
      std::string any;
      pb_bytes(any, 1, "/cosmos.auth.v1beta1.BaseAccount");
      pb_bytes(any, 2, base);
      std::string resp;
      pb_bytes(resp, 1, any);
      return abci_value_reply(0, "", resp);
    }
    if (path == "/cosmos.bank.v1beta1.Query/Balance" || path == "/cosmos.bank.v1beta1.Query/AllBalances") {
      const auto it = accounts_.find(address);
      std::string resp;
      const bool single = path.ends_with("/Balance");
      const std::string denom = single && fields.contains(2) ? fields.at(2) : "";
      if (it != accounts_.end()) {
        for (const auto& [d, amount] : it->second.balances) {
          if (single && d != denom)
            continue;
          std::string coin;
          pb_bytes(coin, 1, d);
          pb_bytes(coin, 2, amount);
          pb_bytes(resp, 1, coin);
        }
      }
      if (single && resp.empty()) {  // the SDK answers a zero coin of the asked denom
        std::string coin;
        pb_bytes(coin, 1, denom);
        pb_bytes(coin, 2, "0");
        pb_bytes(resp, 1, coin);
      }
      return abci_value_reply(0, "", resp);
    }
    if (path == "/cosmos.tx.v1beta1.Service/Simulate") {
      if (simulate_checks_sequence_) {
        auto decoded = fields.contains(2)
                           ? chain::tx::decode_tx_raw(Bytes(fields.at(2).begin(), fields.at(2).end()))
                           : Result<chain::tx::DecodedTx>(make_error("test", "NO_TX", ""));
        for (const auto& [owner, account] : accounts_) {
          (void)owner;
          if (decoded && !decoded->sequences.empty() && decoded->sequences[0] != account.sequence)
            return abci_value_reply(6,
                                    "account sequence mismatch, expected " +
                                        std::to_string(account.sequence) + ", got " +
                                        std::to_string(decoded->sequences[0]) +
                                        ": incorrect account sequence With gas wanted: '0' and gas used: "
                                        "'1200' : unknown request",
                                    "");
        }
      }
      std::string gas_info;
      pb_uint(gas_info, 1, 0);
      pb_uint(gas_info, 2, simulated_gas_);
      std::string resp;
      pb_bytes(resp, 1, gas_info);
      return abci_value_reply(0, "", resp);
    }
    if (path == "/snpattest.v1.Query/CurrentEpoch") {
      if (!data.empty())
        return abci_value_reply(18, "invalid request: unexpected request bytes", "");
      std::string e;
      pb_uint(e, 1, epoch_.epoch);
      pb_bytes(e, 2, epoch_.nonce);
      pb_uint(e, 3, static_cast<std::uint64_t>(epoch_.start_height));
      pb_uint(e, 4, static_cast<std::uint64_t>(epoch_.deadline_height));
      pb_uint(e, 5, epoch_.allowlist_version);
      std::string resp;
      pb_bytes(resp, 1, e);
      pb_uint(resp, 2, static_cast<std::uint64_t>(epoch_.blocks_remaining));
      return abci_value_reply(0, "", resp);
    }
    return abci_value_reply(6, "unknown query path " + path, "");
  }

  std::string checktx(std::uint32_t code, const std::string& log, const std::string& hash) {
    return ok_result(
        {{"code", code}, {"data", ""}, {"log", log}, {"codespace", code ? "sdk" : ""}, {"hash", hash}});
  }

  std::string broadcast(const std::string& tx_raw) {
    const Bytes raw(tx_raw.begin(), tx_raw.end());
    const std::string hash = chain::tx::tx_hash(raw);
    auto decoded = chain::tx::decode_tx_raw(raw);
    if (!decoded || decoded->messages.empty() || decoded->signer_public_keys.size() != 1 ||
        decoded->signatures.size() != 1)
      return checktx(2, "tx parse error", hash);
    // The signer is the fee payer: the account owning the first signer's key.
    const auto& pub = decoded->signer_public_keys[0];
    const auto sha = chain::crypto::sha256(pub);
    const auto addr20 = chain::crypto::ripemd160(sha);
    std::string signer;
    for (auto& [address, account] : accounts_) {
      auto bytes = chain::keys::decode_address(address, "cosmos");
      if (bytes && std::equal(bytes->begin(), bytes->end(), addr20.begin(), addr20.end()))
        signer = address;
    }
    Broadcast b{decoded->sequences.at(0), decoded->fee.gas_limit, 0, hash};
    auto finish = [&](std::uint32_t code, const std::string& log) {
      b.code = code;
      broadcasts_.push_back(b);
      return checktx(code, log, hash);
    };
    if (signer.empty())
      return finish(9, "account " + hex_upper(std::string(addr20.begin(), addr20.end())) +
                           " does not exist: unknown address");
    Account& account = accounts_[signer];
    const Bytes sign_doc =
        chain::tx::encode_sign_doc(decoded->body_bytes, decoded->auth_info_bytes, chain_id_, account.number);
    if (!chain::crypto::verify_digest(pub, chain::crypto::sha256(sign_doc), decoded->signatures[0]))
      return finish(4, "signature verification failed; please verify account number (" +
                           std::to_string(account.number) + ") and chain-id (" + chain_id_ +
                           "): unauthorized");
    if (b.sequence != account.sequence)
      return finish(32, "account sequence mismatch, expected " + std::to_string(account.sequence) + ", got " +
                            std::to_string(b.sequence) + ": incorrect account sequence");
    if (reject_code_ != 0)
      return finish(reject_code_, reject_log_);
    ++account.sequence;
    account.reported_sequence.reset();
    included_[hash] = 0;
    return finish(0, "");
  }

  std::string tx(const std::string& hash) {
    const auto it = included_.find(hash);
    if (it == included_.end() || it->second++ < confirm_after_polls_)
      return rpc_error("Internal error", "tx (" + hash + ") not found");
    return ok_result({{"hash", hash},
                      {"height", "1235"},
                      {"index", 0},
                      {"tx_result",
                       {{"code", out_of_gas_ ? 11 : 0},
                        {"data", nullptr},
                        {"log", out_of_gas_ ? "out of gas in location: ReadFlat; gasWanted: 140000" : ""},
                        {"info", ""},
                        {"gas_wanted", "140000"},
                        {"gas_used", out_of_gas_ ? "140123" : "98765"},
                        {"events", nlohmann::json::array()},
                        {"codespace", out_of_gas_ ? "sdk" : ""}}},
                      {"tx", ""}});
  }

  std::mutex mu_;
  std::string chain_id_;
  std::map<std::string, Account> accounts_;
  Epoch epoch_;
  std::uint32_t reject_code_ = 0;
  std::string reject_log_;
  std::uint64_t simulated_gas_ = 100'000;
  bool out_of_gas_ = false;
  int confirm_after_polls_ = 1;
  bool simulate_checks_sequence_ = false;
  std::vector<Broadcast> broadcasts_;
  std::vector<std::string> abci_paths_;
  std::map<std::string, int> included_;  // hash -> polls answered so far
  FakeNode node_;                        // last: its thread starts after the state above exists
};

}  // namespace snprelay::testing
