// Flags every command that talks to a node or signs a transaction shares (internal to relayer/cli):
// `tx send`, `tx set-relayer`, `tx submit-attestation` and the `query ...` commands.
//
//   NodeArgs    --node URL (repeat for failover, tried in order), --timeout S, --json
//   SignerArgs  the key (--mnemonic-file F, or --from KEY from the key store of --keyring-dir in any
//               protection mode: --passphrase-file, --config, --tcti/--pcrs, --snp-fields ...),
//               --chain-id (default: the node's network), gas (simulated by default × --gas-adjustment,
//               capped by --gas-cap; --gas N fixes it), fees (--fees COINS, or --gas-prices PRICE, or
//               by default the node's own minimum gas price), --fee-granter, --memo, and confirmation
//               (--confirm-timeout S, --poll-interval S).
// open_signer() turns the flags into a connected client, the opened key and the TxSubmitter options,
// printing the reason and returning the exit code when it cannot (2 for input, 3 for runtime).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/keys/account_key.hpp"
#include "chain/keys/bip32.hpp"
#include "chain/rpc/comet_client.hpp"
#include "chain/rpc/tx_submitter.hpp"
#include "common/error.hpp"
#include "relayer/cli/key_protection.hpp"

namespace snprelay::cli {

// The node flags (--node, --timeout, --json).
struct NodeArgs {
  std::vector<std::string> nodes;
  double timeout_s = 10;
  bool json = false;
};

// --node (required unless `required` is false), --timeout, --json.
void add_node_flags(CLI::App* cmd, NodeArgs& n, bool required = true);

// A client over the --node URLs. Errors: chain USAGE (kInput) when a URL is not http(s)://.
[[nodiscard]] Result<std::unique_ptr<chain::rpc::CometClient>> make_client(const NodeArgs& n);

// The key, gas, fee and confirmation flags of a signing command.
struct SignerArgs {
  std::string mnemonic_file;
  std::string from;
  std::string keyring_dir;
  ProtectionArgs protect;
  std::string hd_path = std::string(chain::keys::kCosmosHdPath);
  std::string prefix = "cosmos";
  std::string chain_id;
  std::optional<std::uint64_t> gas;
  std::string fees;
  std::string memo;
  double gas_adjustment = 1.4;
  std::uint64_t gas_cap = 5'000'000;
  std::uint64_t gas_fallback = 300'000;
  std::string gas_prices;
  std::string fee_granter;
  double confirm_timeout_s = 30;
  double poll_interval_s = 1;
};

// Registers every SignerArgs flag on `cmd`.
void add_signer_flags(CLI::App* cmd, SignerArgs& s);

// The signing key: exactly one of --mnemonic-file / --from. Errors: chain USAGE (kInput), the key store's.
[[nodiscard]] Result<chain::keys::AccountKey> signing_key(const SignerArgs& s);

// What open_signer() hands a command: a connected client, the key, its address, the submit options.
struct OpenedSigner {
  std::unique_ptr<chain::rpc::CometClient> client;
  std::optional<chain::keys::AccountKey> key;
  std::string address;  // bech32(prefix, key)
  chain::rpc::SubmitterOptions options;
};

// Validates the flags, opens the key, connects (asking the node for its chain id when --chain-id is
// absent and for its minimum gas price when neither --fees nor --gas-prices is given). On failure
// prints the error and returns the exit code (2 input, 3 runtime); kOk (0) on success.
[[nodiscard]] int open_signer(const SignerArgs& s, const NodeArgs& n, OpenedSigner& out);

}  // namespace snprelay::cli
