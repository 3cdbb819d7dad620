// Cosmos transaction and query commands (issue #5; `keys ...` is in keys_commands.cpp):
//   snprelay tx send --offline ...                   build + sign a MsgSend (the CosmJS conformance entry)
//   snprelay tx send --node URL ...                  the same online: account from the node, simulated
//                                                    gas, broadcast, confirmation by polling the hash
//   snprelay tx broadcast FILE --node URL            broadcast a signed TxRaw (hex or binary file)
//   snprelay query account|balance|current-epoch ... read chain state over CometBFT abci_query
// Logic lives in chain/; this file parses flags, reads secrets and prints. `--node` may be repeated:
// the endpoints are tried in that order (failover on transport errors only). Exit codes per cli.hpp:
// 1 when the chain rejects or answers "no" (CheckTx/FinalizeBlock code != 0, a mempool rejection, a
// failed query such as an unknown account), 2 for bad input (flags, files, keys, passphrase),
// 3 for runtime failures (no endpoint reachable, timeouts, undecodable replies, I/O).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "chain/keys/account_key.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/bip32.hpp"
#include "chain/keys/secret_input.hpp"
#include "chain/rpc/chain_errors.hpp"
#include "chain/rpc/comet_client.hpp"
#include "chain/rpc/curl_transport.hpp"
#include "chain/rpc/queries.hpp"
#include "chain/rpc/tx_submitter.hpp"
#include "chain/tx/coins.hpp"
#include "chain/tx/messages.hpp"
#include "chain/tx/sign_direct.hpp"
#include "chain/tx/wire.hpp"
#include "relayer/app/input.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/key_protection.hpp"
#include "relayer/cli/tx_options.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;

// Any bech32 account address (any prefix, 20 or 32 bytes). Errors as keys::decode_address.
Status check_address(const std::string& address) {
  auto hrp = chain::keys::address_hrp(address);
  if (!hrp)
    return hrp.error();
  if (auto bytes = chain::keys::decode_address(address, *hrp); !bytes)
    return bytes.error();
  return ok_status();
}

// ---- tx -------------------------------------------------------------------------------
struct TxArgs {
  bool offline = false;
  SignerArgs signer;
  std::string to;
  std::string amount;
  std::optional<std::uint64_t> account_number;
  std::optional<std::uint64_t> sequence;
  std::uint64_t timeout_height = 0;
  std::string output = "hex";
  std::string file;
  NodeArgs node;
};

int run_tx_send_online(const TxArgs& a);

int run_tx_send(const TxArgs& a) {
  const SignerArgs& sa = a.signer;
  if (sa.mnemonic_file.empty() == sa.from.empty())
    return fail(usage_error("USAGE", "give exactly one of --mnemonic-file F or --from KEY"));
  if (a.offline && (!a.account_number || !a.sequence || sa.chain_id.empty() || !a.node.nodes.empty()))
    return fail(
        usage_error("USAGE", "--offline needs --chain-id, --account-number and --sequence, and no --node"));
  if (!a.offline && (a.node.nodes.empty() || a.account_number || a.sequence || a.timeout_height != 0))
    return fail(
        usage_error("USAGE",
                    "online tx send needs --node and takes the account number and sequence from "
                    "the node (--account-number, --sequence and --timeout-height are --offline only)"));
  if (auto to = chain::keys::decode_address(a.to, sa.prefix); !to)
    return fail(to.error());
  auto amount = chain::tx::parse_coins(a.amount);
  if (!amount)
    return fail(amount.error());
  auto fees = chain::tx::parse_coins(sa.fees);
  if (!fees)
    return fail(fees.error());
  if (a.offline && !sa.fee_granter.empty())
    return fail(usage_error("BAD_FLAG",
                            "--fee-granter is not supported with --offline (the fee payer must "
                            "be known to sign); send online, or drop --fee-granter"));
  if (!a.offline)
    return run_tx_send_online(a);
  auto key = signing_key(sa);
  if (!key)
    return fail(key.error());
  auto from = chain::keys::bech32_address(key->public_key, sa.prefix);
  if (!from)
    return fail(from.error());
  chain::tx::TxSpec spec;
  spec.messages.push_back(chain::tx::make_msg_send(*from, a.to, *amount));
  spec.memo = sa.memo;
  spec.timeout_height = a.timeout_height;
  spec.fee.amount = std::move(*fees);
  spec.fee.gas_limit = sa.gas.value_or(200'000);
  spec.chain_id = sa.chain_id;
  spec.account_number = *a.account_number;
  spec.sequence = *a.sequence;
  auto signed_tx = chain::tx::sign_tx(spec, *key);
  if (!signed_tx)
    return fail(signed_tx.error());
  if (a.output == "json" || a.node.json) {  // --json offline: the same as --output json
    ordered_json out = {{"from", *from},
                        {"tx_raw", to_hex(signed_tx->tx_raw)},
                        {"txhash", signed_tx->hash},
                        {"body_bytes", to_hex(signed_tx->body_bytes)},
                        {"auth_info_bytes", to_hex(signed_tx->auth_info_bytes)},
                        {"sign_bytes", to_hex(signed_tx->sign_bytes)},
                        {"signature", to_hex(signed_tx->signature)}};
    std::cout << out.dump() << "\n";
  } else {
    std::cout << to_hex(signed_tx->tx_raw) << "\n" << signed_tx->hash << "\n";
  }
  return kOk;
}

ordered_json check_tx_json(const chain::rpc::BroadcastResult& r) {
  return {{"code", r.code}, {"codespace", r.codespace}, {"log", r.log}, {"hash", r.hash}};
}

void print_check_tx(const chain::rpc::BroadcastResult& r, bool json) {
  if (json)
    std::cout << check_tx_json(r).dump() << "\n";
  else
    std::cout << "code: " << r.code << "\ncodespace: " << r.codespace << "\nlog: " << r.log
              << "\nhash: " << r.hash << "\n";
}

int run_tx_send_online(const TxArgs& a) {
  OpenedSigner signer;
  if (const int rc = open_signer(a.signer, a.node, signer); rc != kOk)
    return rc;
  auto amount = chain::tx::parse_coins(a.amount);
  if (!amount)
    return fail(amount.error());
  const std::string from = signer.address;
  chain::rpc::TxSubmitter submitter(*signer.client, std::move(*signer.key), signer.options);
  auto outcome = submitter.submit({chain::tx::make_msg_send(from, a.to, *amount)}, a.signer.memo);
  if (!outcome)
    return fail(outcome.error());
  const auto& check = outcome->check_tx;
  ordered_json out = check_tx_json(check);
  out["sequence"] = outcome->sequence_used;
  out["gas_limit"] = outcome->gas_limit;
  out["resyncs"] = outcome->resyncs;
  if (check.code != 0) {
    print_check_tx(check, a.node.json);
    return refused(chain::rpc::checktx_rejection(check));
  }
  if (a.signer.confirm_timeout_s <= 0) {
    print_check_tx(check, a.node.json);
    return kOk;
  }
  auto included = submitter.wait_for(check.hash);
  if (!included) {
    print_check_tx(check, a.node.json);
    return fail(included.error());
  }
  out["height"] = included->height;
  out["tx_code"] = included->code;
  out["gas_wanted"] = included->gas_wanted;
  out["gas_used"] = included->gas_used;
  if (a.node.json)
    std::cout << out.dump() << "\n";
  else
    std::cout << "code: " << included->code << "\nlog: " << included->log << "\nhash: " << check.hash
              << "\nheight: " << included->height << "\ngas: " << included->gas_used << "/"
              << included->gas_wanted << "\n";
  if (included->code != 0)
    return refused(chain::rpc::delivery_failure(*included));
  return kOk;
}

int run_tx_broadcast(const TxArgs& a) {
  auto contents = read_input_file(a.file, kMaxTextFileBytes, "transaction file");
  if (!contents)
    return fail(contents.error());
  auto tx_raw = chain::tx::tx_bytes_from_file_contents(*contents);
  if (!tx_raw)
    return fail(tx_raw.error());
  if (auto decoded = chain::tx::decode_tx_raw(*tx_raw); !decoded)
    return fail(decoded.error());
  auto client = make_client(a.node);
  if (!client)
    return fail(client.error());
  auto result = (*client)->broadcast_tx_sync(*tx_raw);
  if (!result) {
    if (auto code = chain::rpc::mempool_rejection_code(result.error())) {
      // Reported like a CheckTx code, as the Go SDK client does (19/20/21).
      print_check_tx({*code, "sdk", result.error().message, chain::tx::tx_hash(*tx_raw)}, a.node.json);
      return refused(result.error());
    }
    return fail(result.error());
  }
  print_check_tx(*result, a.node.json);
  if (result->code != 0)
    return refused(chain::rpc::checktx_rejection(*result));
  return kOk;
}

void add_tx_commands(CLI::App& app, Outcome& outcome) {
  auto* txc = app.add_subcommand("tx", "Build, sign and broadcast transactions");
  txc->require_subcommand(1);
  auto a = std::make_shared<TxArgs>();
  auto* send = txc->add_subcommand("send", "Build and sign a cosmos.bank MsgSend (SIGN_MODE_DIRECT)");
  send->add_flag("--offline", a->offline,
                 "Sign without contacting a node (needs --chain-id, --account-number, --sequence)");
  add_signer_flags(send, a->signer);
  send->add_option("--to", a->to, "Recipient address")->required();
  send->add_option("--amount", a->amount, "Coins to send, e.g. 1000ustake")->required();
  send->add_option("--account-number", a->account_number, "Signer's account number (--offline)")
      ->check(strict_unsigned());
  send->add_option("--sequence", a->sequence, "Signer's sequence (--offline)")->check(strict_unsigned());
  send->add_option("--timeout-height", a->timeout_height,
                   "Block height after which the tx is invalid (0 = none; --offline)")
      ->check(strict_unsigned());
  send->add_option("--output", a->output, "--offline: hex (TxRaw hex, then hash) or json")
      ->check(CLI::IsMember({"hex", "json"}))
      ->capture_default_str();
  add_node_flags(send, a->node, false);
  send->callback([a, &outcome] { outcome.exit_code = run_tx_send(*a); });

  auto* bc = txc->add_subcommand("broadcast",
                                 "Broadcast a signed TxRaw (hex or binary file) with broadcast_tx_sync");
  bc->add_option("FILE", a->file, "File holding the TxRaw")->required();
  add_node_flags(bc, a->node);
  bc->callback([a, &outcome] { outcome.exit_code = run_tx_broadcast(*a); });
}

// ---- query ----------------------------------------------------------------------------
struct QueryArgs {
  std::string address;
  std::string denom;
  NodeArgs node;
};

int run_query_account(const QueryArgs& a) {
  if (auto st = check_address(a.address); !st)
    return fail(st.error());
  auto client = make_client(a.node);
  if (!client)
    return fail(client.error());
  auto account = chain::rpc::query_account(**client, a.address);
  if (!account)
    return fail(account.error());
  const std::string pubkey = account->public_key.empty() ? "" : to_hex(account->public_key);
  if (a.node.json)
    std::cout << ordered_json{{"address", account->address},
                              {"account_number", account->account_number},
                              {"sequence", account->sequence},
                              {"pubkey", pubkey},
                              {"type", account->type_url}}
                     .dump()
              << "\n";
  else
    std::cout << "address: " << account->address << "\naccount_number: " << account->account_number
              << "\nsequence: " << account->sequence << "\npubkey: " << (pubkey.empty() ? "(none)" : pubkey)
              << "\ntype: " << account->type_url << "\n";
  return kOk;
}

int run_query_balance(const QueryArgs& a) {
  if (auto st = check_address(a.address); !st)
    return fail(st.error());
  auto client = make_client(a.node);
  if (!client)
    return fail(client.error());
  std::vector<chain::tx::Coin> coins;
  if (!a.denom.empty()) {
    auto coin = chain::rpc::query_balance(**client, a.address, a.denom);
    if (!coin)
      return fail(coin.error());
    coins.push_back(std::move(*coin));
  } else {
    auto all = chain::rpc::query_all_balances(**client, a.address);
    if (!all)
      return fail(all.error());
    coins = std::move(*all);
  }
  if (a.node.json) {
    ordered_json arr = ordered_json::array();
    for (const auto& c : coins)
      arr.push_back({{"denom", c.denom}, {"amount", c.amount}});
    std::cout << ordered_json{{"address", a.address}, {"balances", arr}}.dump() << "\n";
  } else {
    for (const auto& c : coins)
      std::cout << c.amount << c.denom << "\n";
  }
  return kOk;
}

int run_query_current_epoch(const QueryArgs& a) {
  auto client = make_client(a.node);
  if (!client)
    return fail(client.error());
  auto epoch = chain::rpc::query_current_epoch(**client);
  if (!epoch)
    return fail(epoch.error());
  const ordered_json out = {{"epoch", epoch->epoch},
                            {"nonce", to_hex(epoch->nonce)},
                            {"start_height", epoch->start_height},
                            {"deadline_height", epoch->deadline_height},
                            {"allowlist_version", epoch->allowlist_version},
                            {"blocks_remaining", epoch->blocks_remaining}};
  if (a.node.json) {
    std::cout << out.dump() << "\n";
  } else {
    for (const auto& [k, v] : out.items())
      std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  }
  return kOk;
}

void add_query_commands(CLI::App& app, Outcome& outcome) {
  auto* q = app.add_subcommand("query", "Read chain state through a CometBFT node (abci_query)");
  q->require_subcommand(1);
  auto a = std::make_shared<QueryArgs>();
  auto* account = q->add_subcommand("account", "Account number, sequence and public key of an address");
  account->add_option("ADDR", a->address, "Bech32 account address")->required();
  add_node_flags(account, a->node);
  account->callback([a, &outcome] { outcome.exit_code = run_query_account(*a); });

  auto* balance = q->add_subcommand("balance", "Balance of an address (one denom, or all)");
  balance->add_option("ADDR", a->address, "Bech32 account address")->required();
  balance->add_option("--denom", a->denom, "Only this denom");
  add_node_flags(balance, a->node);
  balance->callback([a, &outcome] { outcome.exit_code = run_query_balance(*a); });

  auto* epoch = q->add_subcommand("current-epoch", "The snpattest module's open nonce epoch");
  add_node_flags(epoch, a->node);
  epoch->callback([a, &outcome] { outcome.exit_code = run_query_current_epoch(*a); });
}

}  // namespace

void add_chain_commands(CLI::App& app, Outcome& outcome) {
  add_tx_commands(app, outcome);
  add_query_commands(app, outcome);
}

}  // namespace snprelay::cli
