#include "relayer/cli/tx_options.hpp"

#include "chain/keys/secret_input.hpp"
#include "chain/rpc/chain_errors.hpp"
#include "chain/rpc/curl_transport.hpp"
#include "chain/rpc/queries.hpp"
#include "chain/tx/coins.hpp"
#include "common/log.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {

void add_node_flags(CLI::App* cmd, NodeArgs& n, bool required) {
  cmd->add_option("--node", n.nodes, "CometBFT RPC URL (http://host:26657); repeat for failover, in order")
      ->required(required)
      ->allow_extra_args(false);
  cmd->add_option("--timeout", n.timeout_s, "Per-request timeout in seconds")
      ->check(CLI::Range(0.05, 600.0))
      ->capture_default_str();
  cmd->add_flag("--json", n.json, "Print JSON");
}

Result<std::unique_ptr<chain::rpc::CometClient>> make_client(const NodeArgs& n) {
  for (const auto& url : n.nodes)
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      return usage_error("USAGE", "--node must be an http:// or https:// URL, got \"" + url + "\"");
  return std::make_unique<chain::rpc::CometClient>(
      n.nodes, std::make_shared<chain::rpc::CurlTransport>(),
      std::chrono::milliseconds(static_cast<std::int64_t>(n.timeout_s * 1000)));
}

void add_signer_flags(CLI::App* cmd, SignerArgs& s) {
  cmd->add_option("--mnemonic-file", s.mnemonic_file, "Sign with the key derived from this mnemonic file");
  cmd->add_option("--from", s.from, "Sign with this stored key");
  cmd->add_option("--keyring-dir", s.keyring_dir, "Key store directory");
  add_protection_options(cmd, s.protect);
  cmd->add_option("--hd-path", s.hd_path, "BIP-44 path for --mnemonic-file")->capture_default_str();
  cmd->add_option("--prefix", s.prefix, "Bech32 account prefix")->capture_default_str();
  cmd->add_option("--chain-id", s.chain_id, "Chain id (online: default the node's network)");
  cmd->add_option("--gas", s.gas, "Gas limit (offline default 200000; online default: simulate)")
      ->check(strict_unsigned());
  cmd->add_option("--fees", s.fees, "Fee coins, e.g. 500ustake");
  cmd->add_option("--memo", s.memo, "Memo");
  cmd->add_option("--gas-adjustment", s.gas_adjustment, "Simulated gas is multiplied by this")
      ->check(CLI::Range(1.0, 10.0))
      ->capture_default_str();
  cmd->add_option("--gas-cap", s.gas_cap, "Upper bound for simulated gas")
      ->check(strict_unsigned())
      ->capture_default_str();
  cmd->add_option("--gas-fallback", s.gas_fallback, "Gas when simulation fails")
      ->check(strict_unsigned())
      ->capture_default_str();
  cmd->add_option("--gas-prices", s.gas_prices,
                  "Fee = ceil(gas x price), e.g. 0.025ustake (default: the node's minimum gas price)");
  cmd->add_option("--fee-granter", s.fee_granter, "Account whose fee grant pays the fee");
  cmd->add_option("--confirm-timeout", s.confirm_timeout_s, "Seconds to wait for inclusion in a block")
      ->capture_default_str();
  cmd->add_option("--poll-interval", s.poll_interval_s, "Seconds between `tx` polls")
      ->check(CLI::Range(0.01, 60.0))
      ->capture_default_str();
}

Result<chain::keys::AccountKey> signing_key(const SignerArgs& s) {
  if (s.mnemonic_file.empty() == s.from.empty())
    return usage_error("USAGE", "give exactly one of --mnemonic-file F or --from KEY");
  if (!s.mnemonic_file.empty()) {
    auto mnemonic = chain::keys::read_secret_file(s.mnemonic_file);
    if (!mnemonic)
      return mnemonic.error();
    return chain::keys::account_key_from_mnemonic(*mnemonic, SecretBytes(), s.hd_path);
  }
  auto defaults = key_defaults(s.protect);
  if (!defaults)
    return defaults.error();
  return app::open_key(app::key_store(s.keyring_dir, *defaults), s.from, key_request(s.protect), *defaults);
}

int open_signer(const SignerArgs& s, const NodeArgs& n, OpenedSigner& out) {
  std::vector<chain::tx::Coin> fees;
  if (!s.fees.empty()) {
    auto parsed = chain::tx::parse_coins(s.fees);
    if (!parsed)
      return fail(parsed.error());
    fees = std::move(*parsed);
  }
  if (!fees.empty() && !s.gas_prices.empty())
    return fail(usage_error("USAGE", "give --fees or --gas-prices, not both"));
  if (!s.gas_prices.empty())
    if (auto probe = chain::rpc::fee_for_gas(s.gas_prices, 1); !probe)
      return fail(probe.error());
  if (s.confirm_timeout_s < 0)
    return fail(usage_error("USAGE", "--confirm-timeout must not be negative"));
  auto client = make_client(n);
  if (!client)
    return fail(client.error());
  auto key = signing_key(s);
  if (!key)
    return fail(key.error());
  auto address = chain::keys::bech32_address(key->public_key, s.prefix);
  if (!address)
    return fail(address.error());

  chain::rpc::SubmitterOptions& o = out.options;
  o.chain_id = s.chain_id;
  if (o.chain_id.empty()) {
    auto status = (*client)->status();
    if (!status)
      return fail(status.error());
    o.chain_id = status->network;
  }
  o.prefix = s.prefix;
  o.simulate_gas = !s.gas.has_value();
  o.gas_adjustment = s.gas_adjustment;
  o.gas_cap = s.gas ? *s.gas : s.gas_cap;
  o.default_gas = s.gas ? *s.gas : s.gas_fallback;
  o.fixed_fees = std::move(fees);
  o.gas_price = s.gas_prices;
  if (o.fixed_fees.empty() && o.gas_price.empty()) {
    // No fee flags: pay the node's own minimum gas price, so a node with one set admits the tx.
    auto min = chain::rpc::query_min_gas_price(**client);
    if (!min)
      log_for("chain")->debug("the node's minimum gas price is unknown ({}); sending without a fee",
                              min.error().to_string());
    else if (const std::string first = min->substr(0, min->find(','));
             !first.empty() && chain::rpc::fee_for_gas(first, 1))
      o.gas_price = first;
  }
  o.fee_granter = s.fee_granter;
  o.confirm_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(s.confirm_timeout_s * 1000));
  o.poll_interval = std::chrono::milliseconds(static_cast<std::int64_t>(s.poll_interval_s * 1000));
  out.client = std::move(*client);
  out.key.emplace(std::move(*key));
  out.address = std::move(*address);
  return kOk;
}

}  // namespace snprelay::cli
