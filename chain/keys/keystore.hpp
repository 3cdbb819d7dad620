// The encrypted key store: one file per key, sealed with a passphrase.
//
// Layout: `<dir>/<name>.key`, a JSON document (format "snprelay-key", version 1):
//   name, address, pubkey (hex), hd_path, created_unix          -- public, readable without the passphrase
//   kdf    {name "scrypt", log2_n, r, p, salt (16 bytes hex)}    -- passphrase -> 32-byte key
//   cipher {name "aes-256-gcm", nonce (12 bytes hex)}
//   ciphertext (hex) = AES-256-GCM(private key, 32 bytes) || 16-byte tag
// The GCM additional data binds the public fields ("snprelay-key/v1\0name\0address\0pubkey"), so editing
// a name or address in the file makes unlock() fail instead of signing as someone else. Version 1 is the
// only version; a file with another version is refused (chain KEYFILE_UNSUPPORTED), never guessed at.
//
// Permissions: files are created 0600 (O_EXCL, then renamed into place) and the directory 0700. A key
// file that is group- or world-accessible is refused on read (chain INSECURE_PERMISSIONS) — the key may
// already have leaked, and the operator must decide. Passphrases and private keys are SecretBytes and
// are never logged or put in error messages.
//
// Thread-safety: a KeyStore holds only its directory path; concurrent calls on different names are
// safe; concurrent add/remove of the same name race at the file-system level (last rename wins).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "chain/keys/account_key.hpp"
#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay::chain::keys {

// The public half of a stored key.
struct KeyInfo {
  std::string name;
  std::string address;  // bech32 with the prefix chosen at `add`
  crypto::PublicKey public_key{};
  std::string hd_path;  // "" when imported from a raw private key
};

struct KeyStoreOptions {
  // scrypt cost: N = 2^log2_n, r = 8, p = 1. 15 (32 MiB, ~0.1 s) by default; tests lower it.
  unsigned scrypt_log2_n = 15;
};

class KeyStore {
 public:
  explicit KeyStore(std::filesystem::path dir, KeyStoreOptions options = {});

  // The directory used when none is configured: $SNPRELAY_KEYRING_DIR if set and non-empty, else
  // $HOME/.snprelay/keys (./.snprelay/keys without HOME).
  [[nodiscard]] static std::filesystem::path default_dir();

  // Names: 1..64 characters of [A-Za-z0-9._-], not starting with '.'. Errors: chain INVALID_KEY_NAME.
  [[nodiscard]] static Status validate_name(const std::string& name);

  // Encrypts and writes a new key. Creates the directory (0700) if needed. Errors: INVALID_KEY_NAME,
  // KEY_EXISTS, EMPTY_PASSPHRASE, KEYSTORE_IO (naming the path), CRYPTO_FAILED.
  [[nodiscard]] Status add(const std::string& name, const AccountKey& key, const std::string& address,
                           const std::string& hd_path, const SecretBytes& passphrase) const;

  // Public fields only; no passphrase needed. Errors: KEY_NOT_FOUND, INSECURE_PERMISSIONS,
  // KEYFILE_INVALID, KEYFILE_UNSUPPORTED.
  [[nodiscard]] Result<KeyInfo> show(const std::string& name) const;

  // Every key in the directory, sorted by name (an absent directory is an empty list). A file that
  // cannot be read makes the whole call fail, naming it.
  [[nodiscard]] Result<std::vector<KeyInfo>> list() const;

  // Decrypts the private key. Errors: those of show(); WRONG_PASSPHRASE when the tag does not verify
  // (wrong passphrase or a tampered file — indistinguishable by design).
  [[nodiscard]] Result<AccountKey> unlock(const std::string& name, const SecretBytes& passphrase) const;

  // Deletes the key file. Errors: KEY_NOT_FOUND, KEYSTORE_IO.
  [[nodiscard]] Status remove(const std::string& name) const;

  [[nodiscard]] std::filesystem::path path_of(const std::string& name) const;

 private:
  std::filesystem::path dir_;
  KeyStoreOptions options_;
};

}  // namespace snprelay::chain::keys
