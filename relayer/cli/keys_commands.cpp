// `snprelay keys ...` (issues #5, #6): the encrypted key store and offline derivation.
//   keys add NAME [--recover --mnemonic-file F] [--protection M]   create a key (new 24-word mnemonic)
//   keys show|list|delete                                          public fields; no secret needed
//   keys derive --mnemonic-file F                                   address and pubkey; stores nothing
//   keys protect NAME --mode M                                      move a key to passphrase | tpm |
//                                                                   snp-derived protection without ever
//                                                                   writing it in clear
// Logic lives in chain/keys (KeyStore) and the sealers; key_protection.hpp picks the sealer. Exit codes
// per cli.hpp, from the error's kind (common/error.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "chain/keys/account_key.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/bip32.hpp"
#include "chain/keys/bip39.hpp"
#include "chain/keys/keystore.hpp"
#include "chain/keys/secret_input.hpp"
#include "common/file_io.hpp"
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
  std::string mnemonic_out;  // keys add: write a new key's mnemonic here (0600) instead of the terminal
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

// Writes a new key's mnemonic to `path`, created 0600 (never over an existing file).
// Writes the mnemonic and a newline to a NEW file (O_EXCL: an existing file is never overwritten), 0600,
// fsynced; on any failure the file is removed. The mnemonic is written from its SecretBytes, never
// copied into a std::string.
Status write_mnemonic(const std::string& path, const SecretBytes& mnemonic) {
  const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd)
    return make_error("cli", "WRITE_FAILED", "--mnemonic-out " + path + ": " + std::strerror(errno),
                      ErrorKind::kInput);
  const auto write_all = [&fd](const std::uint8_t* data, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::write(fd.get(), data + done, size - done);
      if (n <= 0)
        return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  };
  const std::uint8_t newline = '\n';
  const bool ok =
      write_all(mnemonic.data(), mnemonic.size()) && write_all(&newline, 1) && ::fsync(fd.get()) == 0;
  if (!ok) {
    ::unlink(path.c_str());
    return make_error("cli", "WRITE_FAILED", "--mnemonic-out " + path + ": cannot write");
  }
  return ok_status();
}

int run_keys_add(const KeyArgs& a) {
  if (!a.recover && !a.mnemonic_file.empty())
    return fail(usage_error("BAD_FLAG",
                            "--mnemonic-file is read only with --recover; without it keys add makes a new "
                            "random key (add --recover to import the mnemonic)"));
  if (a.recover && !a.mnemonic_out.empty())
    return fail(usage_error("BAD_FLAG",
                            "--mnemonic-out writes a NEW key's mnemonic; with --recover you "
                            "have it already"));
  // A new key's mnemonic is shown only on a terminal, or written to --mnemonic-out: never into a
  // redirected standard error (a log).
  if (!a.recover && a.mnemonic_out.empty() && ::isatty(STDERR_FILENO) == 0)
    return fail(usage_error("NO_TERMINAL",
                            "standard error is not a terminal, so the new key's mnemonic cannot be shown; "
                            "pass --mnemonic-out FILE (written 0600)"));
  SecretBytes mnemonic;
  if (a.recover) {
    if (a.mnemonic_file.empty())
      return fail(usage_error("USAGE", "--recover needs --mnemonic-file F"));
    auto m = chain::keys::read_secret_file(a.mnemonic_file);
    if (!m)
      return fail(m.error());
    mnemonic = std::move(*m);
  } else {
    auto m = chain::keys::generate_mnemonic(24);
    if (!m)
      return fail(m.error());
    mnemonic = std::move(*m);
  }
  auto key = chain::keys::account_key_from_mnemonic(mnemonic, SecretBytes(), a.hd_path);
  if (!key)
    return fail(key.error());
  auto address = chain::keys::bech32_address(key->public_key, a.prefix);
  if (!address)
    return fail(address.error());
  if (auto st = chain::keys::KeyStore::validate_name(a.name); !st)
    return fail(st.error());
  auto defaults = key_defaults(a.protect);
  if (!defaults)
    return fail(defaults.error());
  app::ProtectionMode mode = defaults->protection.value_or(app::ProtectionMode::kPassphrase);
  if (!a.protection.empty()) {
    auto parsed = app::parse_protection_mode(a.protection, "--protection");
    if (!parsed)
      return fail(parsed.error());
    mode = *parsed;
  }
  const auto store = app::key_store(a.keyring_dir, *defaults);
  if (store.show(a.name).ok())
    return fail(
        make_error("chain", "KEY_EXISTS",
                   "a key named \"" + a.name + "\" already exists (" + store.path_of(a.name).string() + ")",
                   ErrorKind::kInput));
  if (!a.mnemonic_out.empty()) {
    if (auto st = write_mnemonic(a.mnemonic_out, mnemonic); !st)
      return fail(st.error());
  }
  auto sealer = app::make_sealer(mode, key_request(a.protect), *defaults, true);
  if (!sealer)
    return fail(sealer.error());
  if (auto st = store.add(a.name, *key, *address, a.hd_path, **sealer); !st)
    return fail(st.error());
  ordered_json out = {{"name", a.name},
                      {"address", *address},
                      {"pubkey", to_hex(key->public_key)},
                      {"hd_path", a.hd_path},
                      {"protection", app::protection_mode_name(mode)}};
  if (!a.recover && a.mnemonic_out.empty()) {
    // Shown once, on standard error (a terminal, checked above), so `--json > file` does not capture it.
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
  if (a.address_only && a.pubkey_only)
    return fail(
        usage_error("BAD_FLAG", "give --address or --pubkey, not both (without either: every field)"));
  const auto store = app::key_store(a.keyring_dir);
  auto info = store.show(a.name);
  if (!info)
    return fail(info.error());
  if (a.json && (a.address_only || a.pubkey_only)) {
    ordered_json out = {{"name", info->name}};
    if (a.address_only)
      out["address"] = info->address;
    else
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
  const auto store = app::key_store(a.keyring_dir);
  auto keys = store.list();
  if (!keys)
    return fail(keys.error());
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
    return fail(defaults.error());
  std::optional<app::ProtectionMode> mode = defaults->protection;
  if (!a.protection.empty()) {
    auto parsed = app::parse_protection_mode(a.protection, "--mode");
    if (!parsed)
      return fail(parsed.error());
    mode = *parsed;
  }
  if (!mode)
    return fail(usage_error("USAGE",
                            "name the new protection: --mode passphrase|tpm|snp-derived, or "
                            "--config FILE with [chain.key] protection"));
  const auto store = app::key_store(a.keyring_dir, *defaults);
  auto info = store.show(a.name);
  if (!info)
    return fail(info.error());
  auto from_mode = app::parse_protection_mode(info->protection, "key file of \"" + a.name + "\"");
  if (!from_mode)
    return fail(from_mode.error());
  const app::KeyRequest request = key_request(a.protect, a.new_passphrase_file);
  auto from = app::make_sealer(*from_mode, request, *defaults, false);
  if (!from)
    return fail(from.error());
  if (*mode == app::ProtectionMode::kPassphrase && *from_mode == app::ProtectionMode::kPassphrase &&
      a.new_passphrase_file.empty())
    return fail(usage_error("USAGE", "key \"" + a.name +
                                         "\" is already protected by a passphrase; to change it, give "
                                         "--passphrase-file OLD and --new-passphrase-file NEW"));
  auto to = app::make_sealer(*mode, request, *defaults, true);
  if (!to)
    return fail(to.error());
  auto moved = store.reprotect(a.name, **from, **to);
  if (!moved)
    return fail(moved.error());
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
  const auto store = app::key_store(a.keyring_dir);
  if (auto st = store.remove(a.name); !st)
    return fail(st.error());
  std::cerr << "deleted key " << a.name << "\n";
  return kOk;
}

int run_keys_derive(const KeyArgs& a) {
  auto mnemonic = chain::keys::read_secret_file(a.mnemonic_file);
  if (!mnemonic)
    return fail(mnemonic.error());
  auto key = chain::keys::account_key_from_mnemonic(*mnemonic, SecretBytes(), a.hd_path);
  if (!key)
    return fail(key.error());
  auto address = chain::keys::bech32_address(key->public_key, a.prefix);
  if (!address)
    return fail(address.error());
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
  add->add_option("--mnemonic-file", a->mnemonic_file, "With --recover: file holding the BIP-39 mnemonic");
  add->add_option(
      "--mnemonic-out", a->mnemonic_out,
      "Write the new key's mnemonic to FILE (created 0600) instead of showing it on the terminal");
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
