// `snprelay keys ...` (issues #5, #6): the encrypted key store and offline derivation.
//   keys add NAME [--recover --mnemonic-file F] [--protection M]   create a key (new 24-word mnemonic)
//   keys show|list|delete                                          public fields; no secret needed
//   keys derive --mnemonic-file F                                   address and pubkey; stores nothing
//   keys protect NAME --mode M                                      move a key to passphrase | tpm |
//                                                                   snp-derived protection without ever
//                                                                   writing it in clear
// Logic lives in chain/keys (KeyStore) and the sealers; key_protection.hpp picks the sealer. Exit codes
// per cli.hpp, with key_exit_code() telling runtime failures (3) from what the operator must fix (2).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "chain/keys/account_key.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/bip32.hpp"
#include "chain/keys/bip39.hpp"
#include "chain/keys/keystore.hpp"
#include "chain/keys/secret_input.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/key_protection.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;

ordered_json key_json(const chain::keys::KeyInfo& k) {
  return {{"name", k.name},
          {"address", k.address},
          {"pubkey", to_hex(k.public_key)},
          {"hd_path", k.hd_path},
          {"protection", k.protection}};
}

struct KeyArgs {
  std::string name;
  std::string keyring_dir;
  ProtectionArgs protect;
  std::string protection;  // keys add --protection, keys protect --mode
  std::string new_passphrase_file;
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
                  "Key store directory (default: keyring_dir from --config, else $SNPRELAY_KEYRING_DIR or "
                  "~/.snprelay/keys)");
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
  if (auto st = chain::keys::KeyStore::validate_name(a.name); !st)
    return fail(st.error(), kUsage);
  auto defaults = key_defaults(a.protect);
  if (!defaults)
    return fail(defaults.error(), kUsage);
  const std::string mode = !a.protection.empty() ? a.protection : defaults->protection.value_or("passphrase");
  const auto store = key_store(a.keyring_dir, *defaults);
  if (store.show(a.name).ok())
    return fail(
        make_error("chain", "KEY_EXISTS",
                   "a key named \"" + a.name + "\" already exists (" + store.path_of(a.name).string() + ")"),
        kUsage);
  auto sealer = make_sealer(mode, a.protect, *defaults, true);
  if (!sealer)
    return fail(sealer.error(), key_exit_code(sealer.error()));
  if (auto st = store.add(a.name, *key, *address, a.hd_path, **sealer); !st)
    return fail(st.error(), key_exit_code(st.error()));
  ordered_json out = {{"name", a.name},
                      {"address", *address},
                      {"pubkey", to_hex(key->public_key)},
                      {"hd_path", a.hd_path},
                      {"protection", mode}};
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
  const auto store = key_store(a.keyring_dir);
  auto info = store.show(a.name);
  if (!info)
    return fail(info.error(), kUsage);
  if (a.json && (a.address_only || a.pubkey_only)) {
    ordered_json out = {{"name", info->name}};
    if (a.address_only)
      out["address"] = info->address;
    if (a.pubkey_only)
      out["pubkey"] = to_hex(info->public_key);
    std::cout << out.dump() << "\n";
  } else if (a.json)
    std::cout << key_json(*info).dump() << "\n";
  else if (a.pubkey_only)
    std::cout << to_hex(info->public_key) << "\n";
  else if (a.address_only)
    std::cout << info->address << "\n";
  else
    std::cout << "name: " << info->name << "\naddress: " << info->address
              << "\npubkey: " << to_hex(info->public_key) << "\nhd_path: " << info->hd_path
              << "\nprotection: " << info->protection << "\n";
  return kOk;
}

int run_keys_list(const KeyArgs& a) {
  const auto store = key_store(a.keyring_dir);
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

int run_keys_protect(const KeyArgs& a) {
  auto defaults = key_defaults(a.protect);
  if (!defaults)
    return fail(defaults.error(), kUsage);
  const std::string mode = !a.protection.empty() ? a.protection : defaults->protection.value_or("");
  if (mode.empty())
    return fail(make_error("chain", "USAGE",
                           "name the new protection: --mode passphrase|tpm|snp-derived, or "
                           "--config FILE with [chain.key] protection"),
                kUsage);
  const auto store = key_store(a.keyring_dir, *defaults);
  auto info = store.show(a.name);
  if (!info)
    return fail(info.error(), key_exit_code(info.error()));
  auto from = make_sealer(info->protection, a.protect, *defaults, false);
  if (!from)
    return fail(from.error(), key_exit_code(from.error()));
  if (mode == "passphrase" && info->protection == "passphrase" && a.new_passphrase_file.empty())
    return fail(make_error("chain", "USAGE",
                           "key \"" + a.name +
                               "\" is already protected by a passphrase; to change it, give "
                               "--passphrase-file OLD and --new-passphrase-file NEW"),
                kUsage);
  auto to = make_sealer(mode, a.protect, *defaults, true, a.new_passphrase_file);
  if (!to)
    return fail(to.error(), key_exit_code(to.error()));
  auto moved = store.reprotect(a.name, **from, **to);
  if (!moved)
    return fail(moved.error(), key_exit_code(moved.error()));
  if (a.json) {
    ordered_json out = key_json(*moved);
    out["previous_protection"] = info->protection;
    std::cout << out.dump() << "\n";
  } else {
    std::cout << a.name << ": " << info->protection << " -> " << moved->protection << "\n";
  }
  return kOk;
}

int run_keys_delete(const KeyArgs& a) {
  const auto store = key_store(a.keyring_dir);
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

}  // namespace

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
  add->add_option("--protection", a->protection,
                  "passphrase, tpm or snp-derived (default: [chain.key] protection from --config, else "
                  "passphrase)")
      ->check(CLI::IsMember({"passphrase", "tpm", "snp-derived"}));
  add->add_flag("--json", a->json, "Print JSON");
  add_keyring_flags(add, *a);
  add_protection_options(add, a->protect);
  add->callback([a, &outcome] { outcome.exit_code = run_keys_add(*a); });

  auto* protect = keys->add_subcommand(
      "protect", "Move a key to another protection (passphrase, tpm, snp-derived); never writes it in clear");
  protect->add_option("NAME", a->name, "Key name")->required();
  protect
      ->add_option("--mode", a->protection,
                   "the new protection (default: [chain.key] protection from --config)")
      ->check(CLI::IsMember({"passphrase", "tpm", "snp-derived"}));
  protect->add_option(
      "--new-passphrase-file", a->new_passphrase_file,
      "passphrase mode: file holding the new passphrase (--passphrase-file is the current one)");
  protect->add_flag("--json", a->json, "Print JSON");
  add_keyring_flags(protect, *a);
  add_protection_options(protect, a->protect);
  protect->callback([a, &outcome] { outcome.exit_code = run_keys_protect(*a); });

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

}  // namespace snprelay::cli
