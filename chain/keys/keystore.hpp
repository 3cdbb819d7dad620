// The encrypted key store: one file per key; the private key never rests on disk in the clear.
//
// Layout: `<dir>/<name>.key`, a JSON document (format "snprelay-key", version 2):
//   name, address, pubkey (hex), hd_path, created_unix    -- public, readable without unlocking
//   protection {mode, envelope (hex)}                     -- the sealed data-encryption key (DEK)
//   cipher {name "aes-256-gcm", nonce (12 bytes hex)}
//   ciphertext (hex) = AES-256-GCM(DEK, private key, 32 bytes) || 16-byte tag
// The DEK is 32 random bytes, new for every write. A Sealer (common/sealer.hpp) turns it into the
// envelope: `passphrase` (PassphraseSealer: scrypt + AES-GCM), `tpm` (sealed to the vTPM's PCR policy,
// attest::tpm::TpmSealer) or `snp-derived` (wrapped under a key from SNP_GET_DERIVED_KEY that mixes in
// the measurement and policy, attest::SnpDerivedSealer). The GCM additional data binds the public fields
// and the mode ("snprelay-key/v2\0name\0address\0pubkey\0mode"), so editing a name, an address or the
// mode makes unlock() fail instead of signing as someone else.
//
// Version 1 (written before key protection existed: the scrypt key encrypts the private key directly,
// fields kdf{name,log2_n,r,p,salt}, cipher, ciphertext, aad "snprelay-key/v1\0name\0address\0pubkey")
// is still read, as mode "passphrase"; reprotect() rewrites it as version 2. Any other version is
// refused (chain KEYFILE_UNSUPPORTED), never guessed at.
//
// Permissions: files are created 0600 (a temporary file renamed into place, common/file_io.hpp) and the
// directory and its missing parents 0700 whatever the umask. A key file that is group- or
// world-accessible is refused on read (chain INSECURE_PERMISSIONS) — the key may already have leaked,
// and the operator must decide. A key file that is a symbolic link, a directory or anything but a
// regular file is refused (KEYFILE_INVALID), never followed. A key store directory that is a symbolic
// link, another user's, or group- or world-writable is refused by every operation (KEYRING_INSECURE):
// whoever can write it can plant a key file.
//
// Addresses: the address a key file states must be the one derived from its stored public key under
// the file's bech32 prefix; otherwise the file was edited and is refused (KEYFILE_INVALID), so an
// edited file cannot make `keys show` or `keys list` print someone else's address. Passphrases and private
// keys are SecretBytes and are never logged or put in error messages.
//
// Error kinds (common/error.hpp), set here once: a bad name, a missing or existing key, a key file that is
// invalid, unsupported, insecure or of another protection, a wrong passphrase and a key store directory
// that is insecure, unset or cannot be listed are kInput (exit 2); REPROTECT_CHECK_FAILED is kRejected; a
// write, create or delete the system refuses (KEYSTORE_IO) and a failed cipher (CRYPTO_FAILED) are
// kInternal. A sealer's errors keep the kind their sealer gave them (TPM_POLICY_MISMATCH and
// SNP_KEY_MISMATCH kUnavailable, ...).
//
// Thread-safety: a KeyStore holds only its directory path; concurrent calls on different names are
// safe; concurrent add/remove of the same name race at the file-system level (last rename wins).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "chain/keys/account_key.hpp"
#include "chain/keys/passphrase_sealer.hpp"
#include "common/error.hpp"
#include "common/sealer.hpp"
#include "common/secret.hpp"

namespace snprelay::chain::keys {

// The public half of a stored key.
struct KeyInfo {
  std::string name;
  std::string address;  // bech32 with the prefix chosen at `add`
  crypto::PublicKey public_key{};
  std::string hd_path;     // "" when imported from a raw private key
  std::string protection;  // "passphrase", "tpm" or "snp-derived"
  int version = 2;         // key file version (1 = legacy passphrase file)
};

// The result of KeyStore::scan(): the readable keys, and why each other *.key file was not.
struct KeyListing {
  std::vector<KeyInfo> keys;
  std::vector<Error> unreadable;
};

struct KeyStoreOptions {
  // scrypt cost: N = 2^log2_n, r = 8, p = 1. 15 (32 MiB, ~0.1 s) by default; tests lower it.
  unsigned scrypt_log2_n = kDefaultScryptLog2N;
};

class KeyStore {
 public:
  explicit KeyStore(std::filesystem::path dir, KeyStoreOptions options = {});

  // The directory used when none is configured: $SNPRELAY_KEYRING_DIR if set and non-empty, else
  // $HOME/.snprelay/keys. With neither (HOME unset or empty) it is the empty path, never a directory
  // relative to wherever the process runs: every operation of a KeyStore on it fails with chain
  // NO_KEYRING_DIR.
  [[nodiscard]] static std::filesystem::path default_dir();

  // Names: 1..64 characters of [A-Za-z0-9._-], not starting with '.'. Errors: chain INVALID_KEY_NAME.
  [[nodiscard]] static Status validate_name(const std::string& name);

  // Encrypts and writes a new key, its DEK sealed by `sealer`. Creates the directory (0700) if needed.
  // Errors: INVALID_KEY_NAME, KEY_EXISTS, KEYSTORE_IO (naming the path; kInternal), CRYPTO_FAILED, the
  // sealer's.
  [[nodiscard]] Status add(const std::string& name, const AccountKey& key, const std::string& address,
                           const std::string& hd_path, Sealer& sealer) const;
  // The same with a PassphraseSealer (scrypt cost from the options). Errors add EMPTY_PASSPHRASE.
  [[nodiscard]] Status add(const std::string& name, const AccountKey& key, const std::string& address,
                           const std::string& hd_path, const SecretBytes& passphrase) const;

  // Public fields only; no passphrase needed. Errors: KEY_NOT_FOUND, INSECURE_PERMISSIONS,
  // KEYFILE_INVALID, KEYFILE_UNSUPPORTED.
  [[nodiscard]] Result<KeyInfo> show(const std::string& name) const;

  // Every key in the directory, sorted by name (an absent directory is an empty list), and the errors
  // of the *.key files that could not be read (sorted by message): one bad file never hides the good
  // ones. Errors: NO_KEYRING_DIR, KEYRING_INSECURE, KEYSTORE_IO (the directory cannot be listed; kInput).
  [[nodiscard]] Result<KeyListing> scan() const;
  // scan()'s keys; each unreadable file is logged as a warning naming it. Errors: those of scan().
  [[nodiscard]] Result<std::vector<KeyInfo>> list() const;

  // Decrypts the private key with the sealer of the file's mode. Errors: those of show();
  // KEY_PROTECTION_MISMATCH when the file's mode is not sealer.mode(); the sealer's own (WRONG_PASSPHRASE,
  // tpm TPM_POLICY_MISMATCH, attest SNP_KEY_MISMATCH, ...); KEYFILE_INVALID when the DEK opens but the
  // private key does not (the file was modified).
  [[nodiscard]] Result<AccountKey> unlock(const std::string& name, Sealer& sealer) const;
  // The same with a PassphraseSealer. WRONG_PASSPHRASE when the tag does not verify (wrong passphrase
  // or a tampered file — indistinguishable by design).
  [[nodiscard]] Result<AccountKey> unlock(const std::string& name, const SecretBytes& passphrase) const;

  // Moves a key to another protection: unlocks it with `from` (the file's current mode), seals a new
  // DEK with `to`, checks in memory that the new file opens with `to` and gives the same key, then
  // replaces the file atomically (write 0600 + fsync + rename). The private key is never written in the
  // clear; when any step fails the old file is left untouched. `to` may have the same mode as `from`
  // (re-seal to the current PCR values, a new passphrase, a version-1 file upgraded).
  // Errors: those of unlock() and add().
  [[nodiscard]] Result<KeyInfo> reprotect(const std::string& name, Sealer& from, Sealer& to) const;

  // Deletes the key file. Errors: KEY_NOT_FOUND (kInput), KEYSTORE_IO (kInternal).
  [[nodiscard]] Status remove(const std::string& name) const;

  [[nodiscard]] std::filesystem::path path_of(const std::string& name) const;

 private:
  std::filesystem::path dir_;
  KeyStoreOptions options_;
};

}  // namespace snprelay::chain::keys
