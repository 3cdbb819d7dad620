// Cosmos commands (issue #5):
//   snprelay keys add|show|list|delete|derive      the encrypted key store and offline derivation
//   snprelay tx send --offline ...                 build + sign a MsgSend (the CosmJS conformance entry)
//   snprelay tx broadcast FILE --node URL          broadcast a signed TxRaw (hex or binary file)
//   snprelay query account|balance ADDR --node URL
// Logic lives in chain/; this file parses flags, reads secrets and prints. Exit codes per cli.hpp:
// 2 for bad input (flags, files, keys, passphrase), 3 for runtime failures (network, I/O).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "chain/keys/account_key.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/bip32.hpp"
#include "chain/keys/bip39.hpp"
#include "chain/keys/keystore.hpp"
#include "chain/keys/secret_input.hpp"
#include "chain/tx/coins.hpp"
#include "chain/tx/messages.hpp"
#include "chain/tx/sign_direct.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;

int fail(const Error& e, int code) {
  std::cerr << "error: " << e.to_string() << "\n";
  return code;
}

std::string default_keyring_dir() {
  if (const char* d = std::getenv("SNPRELAY_KEYRING_DIR"); d != nullptr && *d != '\0')
    return d;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.snprelay/keys";
}

// Passphrase: --passphrase-file, else SNPRELAY_KEY_PASSPHRASE, else a no-echo prompt.
Result<SecretBytes> read_passphrase(const std::string& file, bool confirm) {
  if (!file.empty())
    return chain::keys::read_secret_file(file);
  if (const char* env = std::getenv("SNPRELAY_KEY_PASSPHRASE"); env != nullptr)
    return SecretBytes::from_string(env);
  auto first = chain::keys::prompt_secret("Key store passphrase: ");
  if (!first)
    return make_error(
        "chain", "NO_PASSPHRASE",
        "no passphrase: set SNPRELAY_KEY_PASSPHRASE, pass --passphrase-file, or run on a terminal");
  if (confirm) {
    auto again = chain::keys::prompt_secret("Repeat passphrase: ");
    if (!again || !again->equals(*first))
      return make_error("chain", "PASSPHRASE_MISMATCH", "the two passphrases differ");
  }
  return first;
}

ordered_json key_json(const chain::keys::KeyInfo& k) {
  return {{"name", k.name}, {"address", k.address}, {"pubkey", to_hex(k.public_key)}, {"hd_path", k.hd_path}};
}

// ---- keys -----------------------------------------------------------------------------
struct KeyArgs {
  std::string name;
  std::string keyring_dir;
  std::string passphrase_file;
  std::string mnemonic_file;
  std::string hd_path = std::string(chain::keys::kCosmosHdPath);
  std::string prefix = "cosmos";
  bool recover = false;
  bool address_only = false;
  bool pubkey_only = false;
  bool json = false;
};

void add_keyring_flags(CLI::App* cmd, KeyArgs& a) {
  cmd->add_option("--keyring-dir", a.keyring_dir,
                  "Key store directory (default $SNPRELAY_KEYRING_DIR or ~/.snprelay/keys)");
}

int run_keys_add(const KeyArgs& a) {
  SecretBytes mnemonic;
  if (a.recover) {
    if (a.mnemonic_file.empty())
      return fail(make_error("chain", "USAGE", "--recover needs --mnemonic-file F"), kUsage);
    auto m = chain::keys::read_secret_file(a.mnemonic_file);
    if (!m)
      return fail(m.error(), kUsage);
    mnemonic = std::move(*m);
  } else {
    auto m = chain::keys::generate_mnemonic(24);
    if (!m)
      return fail(m.error(), kFailure);
    mnemonic = std::move(*m);
  }
  auto key = chain::keys::account_key_from_mnemonic(mnemonic, SecretBytes(), a.hd_path);
  if (!key)
    return fail(key.error(), kUsage);
  auto address = chain::keys::bech32_address(key->public_key, a.prefix);
  if (!address)
    return fail(address.error(), kUsage);
  const chain::keys::KeyStore store(a.keyring_dir.empty() ? default_keyring_dir() : a.keyring_dir);
  if (auto st = chain::keys::KeyStore::validate_name(a.name); !st)
    return fail(st.error(), kUsage);
  auto pass = read_passphrase(a.passphrase_file, true);
  if (!pass)
    return fail(pass.error(), kUsage);
  if (auto st = store.add(a.name, *key, *address, a.hd_path, *pass); !st)
    return fail(st.error(), st.error().code == "KEYSTORE_IO" ? kFailure : kUsage);
  ordered_json out = {
      {"name", a.name}, {"address", *address}, {"pubkey", to_hex(key->public_key)}, {"hd_path", a.hd_path}};
  if (!a.recover) {
    // Shown once, on standard error, so that `--json > file` does not capture it by accident.
    std::cerr << "Write down this mnemonic; it is the only way to recover the key:\n\n"
              << mnemonic.to_string_unsafe() << "\n\n";
  }
  if (a.json)
    std::cout << out.dump() << "\n";
  else
    std::cout << a.name << " " << *address << "\n";
  return kOk;
}

int run_keys_show(const KeyArgs& a) {
  const chain::keys::KeyStore store(a.keyring_dir.empty() ? default_keyring_dir() : a.keyring_dir);
  auto info = store.show(a.name);
  if (!info)
    return fail(info.error(), kUsage);
  if (a.json)
    std::cout << key_json(*info).dump() << "\n";
  else if (a.pubkey_only)
    std::cout << to_hex(info->public_key) << "\n";
  else if (a.address_only)
    std::cout << info->address << "\n";
  else
    std::cout << "name: " << info->name << "\naddress: " << info->address
              << "\npubkey: " << to_hex(info->public_key) << "\nhd_path: " << info->hd_path << "\n";
  return kOk;
}

int run_keys_list(const KeyArgs& a) {
  const chain::keys::KeyStore store(a.keyring_dir.empty() ? default_keyring_dir() : a.keyring_dir);
  auto keys = store.list();
  if (!keys)
    return fail(keys.error(), kUsage);
  if (a.json) {
    ordered_json arr = ordered_json::array();
    for (const auto& k : *keys)
      arr.push_back(key_json(k));
    std::cout << arr.dump() << "\n";
  } else {
    for (const auto& k : *keys)
      std::cout << k.name << " " << k.address << "\n";
  }
  return kOk;
}

int run_keys_delete(const KeyArgs& a) {
  const chain::keys::KeyStore store(a.keyring_dir.empty() ? default_keyring_dir() : a.keyring_dir);
  if (auto st = store.remove(a.name); !st)
    return fail(st.error(), st.error().code == "KEYSTORE_IO" ? kFailure : kUsage);
  std::cerr << "deleted key " << a.name << "\n";
  return kOk;
}

int run_keys_derive(const KeyArgs& a) {
  auto mnemonic = chain::keys::read_secret_file(a.mnemonic_file);
  if (!mnemonic)
    return fail(mnemonic.error(), kUsage);
  auto key = chain::keys::account_key_from_mnemonic(*mnemonic, SecretBytes(), a.hd_path);
  if (!key)
    return fail(key.error(), kUsage);
  auto address = chain::keys::bech32_address(key->public_key, a.prefix);
  if (!address)
    return fail(address.error(), kUsage);
  auto valoper = chain::keys::bech32_address(key->public_key, a.prefix + "valoper");
  ordered_json out = {{"address", *address}, {"pubkey", to_hex(key->public_key)}, {"hd_path", a.hd_path}};
  if (valoper)
    out["valoper"] = *valoper;
  if (a.json)
    std::cout << out.dump() << "\n";
  else
    std::cout << *address << "\n";
  return kOk;
}

void add_keys_commands(CLI::App& app, Outcome& outcome) {
  auto* keys = app.add_subcommand("keys", "Manage the encrypted key store (secp256k1 account keys)");
  keys->require_subcommand(1);
  auto a = std::make_shared<KeyArgs>();

  auto* add = keys->add_subcommand(
      "add", "Create a key (new 24-word mnemonic) or --recover one from a mnemonic file");
  add->add_option("NAME", a->name, "Key name")->required();
  add->add_flag("--recover", a->recover, "Recover from --mnemonic-file instead of generating");
  add->add_option("--mnemonic-file", a->mnemonic_file, "File holding the BIP-39 mnemonic");
  add->add_option("--hd-path", a->hd_path, "BIP-44 path")->capture_default_str();
  add->add_option("--prefix", a->prefix, "Bech32 account prefix")->capture_default_str();
  add->add_option("--passphrase-file", a->passphrase_file, "File holding the key store passphrase");
  add->add_flag("--json", a->json, "Print JSON");
  add_keyring_flags(add, *a);
  add->callback([a, &outcome] { outcome.exit_code = run_keys_add(*a); });

  auto* show = keys->add_subcommand("show", "Show a key's address and public key (no passphrase needed)");
  show->add_option("NAME", a->name, "Key name")->required();
  show->add_flag("--address", a->address_only, "Print only the address");
  show->add_flag("--pubkey", a->pubkey_only, "Print only the public key (hex)");
  show->add_flag("--json", a->json, "Print JSON");
  add_keyring_flags(show, *a);
  show->callback([a, &outcome] { outcome.exit_code = run_keys_show(*a); });

  auto* list = keys->add_subcommand("list", "List stored keys");
  list->add_flag("--json", a->json, "Print JSON");
  add_keyring_flags(list, *a);
  list->callback([a, &outcome] { outcome.exit_code = run_keys_list(*a); });

  auto* del = keys->add_subcommand("delete", "Delete a stored key");
  del->add_option("NAME", a->name, "Key name")->required();
  add_keyring_flags(del, *a);
  del->callback([a, &outcome] { outcome.exit_code = run_keys_delete(*a); });

  auto* derive =
      keys->add_subcommand("derive", "Derive address and public key from a mnemonic; stores nothing");
  derive->add_option("--mnemonic-file", a->mnemonic_file, "File holding the BIP-39 mnemonic")->required();
  derive->add_option("--hd-path", a->hd_path, "BIP-44 path")->capture_default_str();
  derive->add_option("--prefix", a->prefix, "Bech32 account prefix")->capture_default_str();
  derive->add_flag("--json", a->json, "Print JSON");
  derive->callback([a, &outcome] { outcome.exit_code = run_keys_derive(*a); });
}

// ---- tx -------------------------------------------------------------------------------
struct TxArgs {
  bool offline = false;
  std::string mnemonic_file;
  std::string from;
  std::string keyring_dir;
  std::string passphrase_file;
  std::string hd_path = std::string(chain::keys::kCosmosHdPath);
  std::string prefix = "cosmos";
  std::string to;
  std::string amount;
  std::string chain_id;
  std::uint64_t account_number = 0;
  std::uint64_t sequence = 0;
  std::uint64_t gas = 200000;
  std::string fees;
  std::string memo;
  std::uint64_t timeout_height = 0;
  std::string output = "hex";
  std::string file;
  std::string node;
  bool json = false;
  double timeout_s = 10;
};

Result<chain::keys::AccountKey> signing_key(const TxArgs& a) {
  if (!a.mnemonic_file.empty()) {
    auto mnemonic = chain::keys::read_secret_file(a.mnemonic_file);
    if (!mnemonic)
      return mnemonic.error();
    return chain::keys::account_key_from_mnemonic(*mnemonic, SecretBytes(), a.hd_path);
  }
  const chain::keys::KeyStore store(a.keyring_dir.empty() ? default_keyring_dir() : a.keyring_dir);
  auto pass = read_passphrase(a.passphrase_file, false);
  if (!pass)
    return pass.error();
  return store.unlock(a.from, *pass);
}

int run_tx_send(const TxArgs& a) {
  if (!a.offline)
    return fail(make_error("chain", "USAGE", "tx send currently needs --offline (then `tx broadcast`)"),
                kUsage);
  if (a.mnemonic_file.empty() == a.from.empty())
    return fail(make_error("chain", "USAGE", "give exactly one of --mnemonic-file F or --from KEY"), kUsage);
  if (auto to = chain::keys::decode_address(a.to, a.prefix); !to)
    return fail(to.error(), kUsage);
  auto amount = chain::tx::parse_coins(a.amount);
  if (!amount)
    return fail(amount.error(), kUsage);
  auto fees = chain::tx::parse_coins(a.fees);
  if (!fees)
    return fail(fees.error(), kUsage);
  auto key = signing_key(a);
  if (!key)
    return fail(key.error(), kUsage);
  auto from = chain::keys::bech32_address(key->public_key, a.prefix);
  if (!from)
    return fail(from.error(), kUsage);
  chain::tx::TxSpec spec;
  spec.messages.push_back(chain::tx::make_msg_send(*from, a.to, *amount));
  spec.memo = a.memo;
  spec.timeout_height = a.timeout_height;
  spec.fee.amount = std::move(*fees);
  spec.fee.gas_limit = a.gas;
  spec.chain_id = a.chain_id;
  spec.account_number = a.account_number;
  spec.sequence = a.sequence;
  auto signed_tx = chain::tx::sign_tx(spec, *key);
  if (!signed_tx)
    return fail(signed_tx.error(), kUsage);
  if (a.output == "json") {
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

void add_tx_commands(CLI::App& app, Outcome& outcome) {
  auto* txc = app.add_subcommand("tx", "Build, sign and broadcast transactions");
  txc->require_subcommand(1);
  auto a = std::make_shared<TxArgs>();
  auto* send = txc->add_subcommand("send", "Build and sign a cosmos.bank MsgSend (SIGN_MODE_DIRECT)");
  send->add_flag("--offline", a->offline,
                 "Sign without contacting a node (needs --account-number, --sequence)");
  send->add_option("--mnemonic-file", a->mnemonic_file, "Sign with the key derived from this mnemonic file");
  send->add_option("--from", a->from, "Sign with this stored key");
  send->add_option("--keyring-dir", a->keyring_dir, "Key store directory");
  send->add_option("--passphrase-file", a->passphrase_file, "File holding the key store passphrase");
  send->add_option("--hd-path", a->hd_path, "BIP-44 path for --mnemonic-file")->capture_default_str();
  send->add_option("--prefix", a->prefix, "Bech32 account prefix")->capture_default_str();
  send->add_option("--to", a->to, "Recipient address")->required();
  send->add_option("--amount", a->amount, "Coins to send, e.g. 1000ustake")->required();
  send->add_option("--chain-id", a->chain_id, "Chain id")->required();
  send->add_option("--account-number", a->account_number, "Signer's account number")->required();
  send->add_option("--sequence", a->sequence, "Signer's sequence")->required();
  send->add_option("--gas", a->gas, "Gas limit")->capture_default_str();
  send->add_option("--fees", a->fees, "Fee coins, e.g. 500ustake");
  send->add_option("--memo", a->memo, "Memo");
  send->add_option("--timeout-height", a->timeout_height,
                   "Block height after which the tx is invalid (0 = none)");
  send->add_option("--output", a->output, "hex (TxRaw hex, then hash) or json")
      ->check(CLI::IsMember({"hex", "json"}))
      ->capture_default_str();
  send->callback([a, &outcome] { outcome.exit_code = run_tx_send(*a); });
}

}  // namespace

void add_chain_commands(CLI::App& app, Outcome& outcome) {
  add_keys_commands(app, outcome);
  add_tx_commands(app, outcome);
}

}  // namespace snprelay::cli
