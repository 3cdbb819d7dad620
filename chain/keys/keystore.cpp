#include "chain/keys/keystore.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chain/keys/bech32.hpp"
#include "common/aead.hpp"
#include "common/file_io.hpp"
#include "common/json_strict.hpp"

namespace snprelay::chain::keys {
namespace {

constexpr int kVersion = 2;
constexpr std::size_t kDekLen = 32;
constexpr std::size_t kPrivLen = 32;

// A key store file or directory operation the system refused. kInternal for writes, creates and deletes
// (the store was usable a moment before); kInput for a key store directory that cannot be listed.
Error io_error(const std::filesystem::path& p, const std::string& what,
               ErrorKind kind = ErrorKind::kInternal) {
  return make_error("chain", "KEYSTORE_IO", what + ": " + p.string(), kind);
}

std::string aad_v1(const KeyInfo& k) {
  std::string aad = "snprelay-key/v1";
  aad += '\0' + k.name + '\0' + k.address + '\0' + to_hex(k.public_key);
  return aad;
}

std::string aad_v2(const KeyInfo& k) {
  std::string aad = "snprelay-key/v2";
  aad += '\0' + k.name + '\0' + k.address + '\0' + to_hex(k.public_key) + '\0' + k.protection;
  return aad;
}

struct ParsedFile {
  KeyInfo info;
  nlohmann::json doc;
  std::int64_t created_unix = 0;
};

Result<Bytes> hex_field(const nlohmann::json& obj, const char* field, const std::filesystem::path& path) {
  auto bytes = from_hex(obj.at(field).get<std::string>());
  if (!bytes)
    return make_error("chain", "KEYFILE_INVALID", path.string() + ": " + field + " is not hex",
                      ErrorKind::kInput);
  return bytes;
}

Result<ParsedFile> read_key_file(const std::filesystem::path& path, const std::string& name) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return make_error("chain", "KEY_NOT_FOUND", "no key named \"" + name + "\" (" + path.string() + ")",
                      ErrorKind::kInput);
  if (S_ISLNK(st.st_mode))
    return make_error("chain", "KEYFILE_INVALID",
                      path.string() + " is a symbolic link; key files must be regular files in the key store",
                      ErrorKind::kInput);
  if ((st.st_mode & 077) != 0 && S_ISREG(st.st_mode)) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 0777);
    return make_error("chain", "INSECURE_PERMISSIONS",
                      path.string() + " has mode 0" + mode.str() + "; key files must be 0600 (chmod 600 it)",
                      ErrorKind::kInput);
  }
  // O_NOFOLLOW and regular files only: a symlink swapped in after lstat, a directory or a FIFO named
  // NAME.key is refused here, never followed or read without bound.
  auto bytes = read_input_file(path.string(), kMaxTextFileBytes, "key file", ReadOptions{.no_follow = true});
  if (!bytes)
    return make_error("chain", "KEYFILE_INVALID", bytes.error().message, ErrorKind::kInput);
  ParsedFile out;
  try {
    // Strict: a key file with a key written twice (two "address" fields, say) is refused, never read
    // as whichever came last (common/json_strict.hpp).
    auto doc = parse_json_strict<nlohmann::json>(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
        "key file " + path.string());
    if (!doc)
      return make_error("chain", "KEYFILE_INVALID", doc.error().message, ErrorKind::kInput);
    out.doc = std::move(doc).value();
    if (out.doc.at("format").get<std::string>() != "snprelay-key")
      return make_error("chain", "KEYFILE_INVALID", path.string() + " is not an snprelay key file",
                        ErrorKind::kInput);
    out.info.version = out.doc.at("version").get<int>();
    if (out.info.version != 1 && out.info.version != kVersion)
      return make_error(
          "chain", "KEYFILE_UNSUPPORTED",
          path.string() + " has key file version " + out.doc.at("version").dump() + " (supported: 1, 2)",
          ErrorKind::kInput);
    out.info.name = out.doc.at("name").get<std::string>();
    out.info.address = out.doc.at("address").get<std::string>();
    out.info.hd_path = out.doc.at("hd_path").get<std::string>();
    if (out.doc.contains("created_unix"))
      out.created_unix = out.doc.at("created_unix").get<std::int64_t>();
    auto pub = from_hex(out.doc.at("pubkey").get<std::string>());
    if (!pub || pub->size() != 33)
      return make_error("chain", "KEYFILE_INVALID", path.string() + ": pubkey is not 33 bytes of hex",
                        ErrorKind::kInput);
    std::copy(pub->begin(), pub->end(), out.info.public_key.begin());
    // The address shown is the one derived from the stored public key, under the file's prefix: an
    // edited address cannot make `keys show` print someone else's.
    auto hrp = address_hrp(out.info.address);
    auto derived = hrp ? bech32_address(out.info.public_key, *hrp) : Result<std::string>(hrp.error());
    if (!derived || *derived != out.info.address)
      return make_error("chain", "KEYFILE_INVALID",
                        path.string() +
                            ": the address does not belong to the stored public key (the file was "
                            "edited)",
                        ErrorKind::kInput);
    if (out.info.version == 1) {
      out.info.protection = "passphrase";
    } else {
      out.info.protection = out.doc.at("protection").at("mode").get<std::string>();
      if (out.info.protection != "passphrase" && out.info.protection != "tpm" &&
          out.info.protection != "snp-derived")
        return make_error("chain", "KEYFILE_UNSUPPORTED",
                          path.string() + " has protection mode \"" + out.info.protection +
                              "\" (supported: passphrase, tpm, snp-derived)",
                          ErrorKind::kInput);
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error("chain", "KEYFILE_INVALID", path.string() + ": " + e.what(), ErrorKind::kInput);
  }
  if (out.info.name != name)
    return make_error("chain", "KEYFILE_INVALID", path.string() + " names key \"" + out.info.name + "\"",
                      ErrorKind::kInput);
  return out;
}

// The AES-256-GCM part every version shares: cipher {name, nonce} and the ciphertext of the 32-byte key.
struct CipherFields {
  Bytes nonce;
  Bytes ciphertext;  // private key || tag
};

// Throws nlohmann::json::exception for a missing field (the callers turn it into KEYFILE_INVALID).
Result<CipherFields> cipher_fields(const nlohmann::json& doc, const std::filesystem::path& path) {
  const auto& cipher = doc.at("cipher");
  if (cipher.at("name") != "aes-256-gcm")
    return make_error("chain", "KEYFILE_UNSUPPORTED",
                      "unsupported cipher " + cipher.at("name").dump() + " in " + path.string(),
                      ErrorKind::kInput);
  auto n = hex_field(cipher, "nonce", path);
  auto c = hex_field(doc, "ciphertext", path);
  if (!n || !c || n->size() != kAeadNonceLen || c->size() != kPrivLen + kAeadTagLen)
    return make_error("chain", "KEYFILE_INVALID", "bad nonce or ciphertext in " + path.string(),
                      ErrorKind::kInput);
  return CipherFields{std::move(*n), std::move(*c)};
}

// Version 1: the scrypt key encrypts the private key directly.
Result<SecretBytes> decrypt_v1(const ParsedFile& f, const std::filesystem::path& path, Sealer& sealer) {
  const auto* pass = dynamic_cast<const PassphraseSealer*>(&sealer);
  if (pass == nullptr)
    return make_error(
        "chain", "KEY_PROTECTION_MISMATCH",
        "key \"" + f.info.name + "\" is a version-1 passphrase file; it opens only with a passphrase",
        ErrorKind::kInput);
  Bytes salt;
  CipherFields cf;
  unsigned log2_n = 0, r = 0, p = 0;
  try {
    const auto& kdf = f.doc.at("kdf");
    if (kdf.at("name") != "scrypt")
      return make_error("chain", "KEYFILE_UNSUPPORTED",
                        "unsupported kdf " + kdf.at("name").dump() + " in " + path.string(),
                        ErrorKind::kInput);
    log2_n = kdf.at("log2_n").get<unsigned>();
    r = kdf.at("r").get<unsigned>();
    p = kdf.at("p").get<unsigned>();
    auto s = hex_field(kdf, "salt", path);
    if (!s)
      return s.error();
    salt = std::move(*s);
    auto c = cipher_fields(f.doc, path);
    if (!c)
      return c.error();
    cf = std::move(*c);
  } catch (const nlohmann::json::exception& e) {
    return make_error("chain", "KEYFILE_INVALID", path.string() + ": " + e.what(), ErrorKind::kInput);
  }
  auto kek = scrypt_key(pass->passphrase(), salt, log2_n, r, p);
  if (!kek)
    return kek.error();
  auto priv = aead_open(kek->view(), cf.nonce, as_bytes(aad_v1(f.info)), cf.ciphertext);
  if (!priv)
    return make_error("chain", "WRONG_PASSPHRASE",
                      "cannot decrypt key \"" + f.info.name + "\": wrong passphrase or the file was modified",
                      ErrorKind::kInput);
  return priv;
}

// Version 2: the sealer gives back the DEK, which encrypts the private key.
Result<SecretBytes> decrypt_v2(const ParsedFile& f, const std::filesystem::path& path, Sealer& sealer) {
  if (f.info.protection != sealer.mode())
    return make_error("chain", "KEY_PROTECTION_MISMATCH",
                      "key \"" + f.info.name + "\" is protected by " + f.info.protection + ", not by " +
                          std::string(sealer.mode()) + " (migrate it with: snprelay keys protect " +
                          f.info.name + " --mode " + std::string(sealer.mode()) + ")",
                      ErrorKind::kInput);
  Bytes envelope;
  CipherFields cf;
  try {
    auto e = hex_field(f.doc.at("protection"), "envelope", path);
    if (!e)
      return e.error();
    envelope = std::move(*e);
    auto c = cipher_fields(f.doc, path);
    if (!c)
      return c.error();
    cf = std::move(*c);
  } catch (const nlohmann::json::exception& ex) {
    return make_error("chain", "KEYFILE_INVALID", path.string() + ": " + ex.what(), ErrorKind::kInput);
  }
  auto dek = sealer.unseal(envelope);
  if (!dek) {
    Error err = dek.error();
    err.message = "cannot open key \"" + f.info.name + "\" (" + f.info.protection + "): " + err.message;
    return err;
  }
  if (dek->size() != kDekLen)
    return make_error("chain", "KEYFILE_INVALID",
                      path.string() + ": the sealed data-encryption key is not 32 bytes", ErrorKind::kInput);
  auto priv = aead_open(dek->view(), cf.nonce, as_bytes(aad_v2(f.info)), cf.ciphertext);
  if (!priv)
    return make_error("chain", "KEYFILE_INVALID",
                      path.string() +
                          ": the data-encryption key opened but the private key does not; the file "
                          "was modified",
                      ErrorKind::kInput);
  return priv;
}

Result<AccountKey> decrypt(const ParsedFile& f, const std::filesystem::path& path, Sealer& sealer) {
  auto priv = f.info.version == 1 ? decrypt_v1(f, path, sealer) : decrypt_v2(f, path, sealer);
  if (!priv)
    return priv.error();
  auto key = account_key_from_private(std::move(*priv));
  if (!key)
    return key.error();
  if (key->public_key != f.info.public_key)
    return make_error("chain", "KEYFILE_INVALID", "decrypted key does not match the stored public key",
                      ErrorKind::kInput);
  return key;
}

// A version-2 document for `info` (protection set from the sealer) with a fresh DEK.
Result<nlohmann::ordered_json> encrypt_v2(KeyInfo& info, std::int64_t created_unix, const AccountKey& key,
                                          Sealer& sealer) {
  info.protection = std::string(sealer.mode());
  info.version = kVersion;
  auto dek = random_secret(kDekLen);
  if (!dek)
    return dek.error();
  auto nonce = random_secret(kAeadNonceLen);
  if (!nonce)
    return nonce.error();
  auto envelope = sealer.seal(*dek);
  if (!envelope)
    return envelope.error();
  auto ct = aead_seal(dek->view(), nonce->view(), as_bytes(aad_v2(info)), key.private_key.view());
  if (!ct)
    return make_error("chain", "CRYPTO_FAILED", ct.error().message);
  return nlohmann::ordered_json{
      {"format", "snprelay-key"},
      {"version", kVersion},
      {"name", info.name},
      {"address", info.address},
      {"pubkey", to_hex(info.public_key)},
      {"hd_path", info.hd_path},
      {"created_unix", created_unix},
      {"protection", {{"mode", info.protection}, {"envelope", to_hex(*envelope)}}},
      {"cipher", {{"name", "aes-256-gcm"}, {"nonce", to_hex(nonce->view())}}},
      {"ciphertext", to_hex(*ct)},
  };
}

// Writes `text` to `path` through a 0600 temporary file, fsync and rename (replacing any old file).
Status write_atomically(const std::string& text, const std::filesystem::path& path) {
  if (auto st = write_file_atomic(path.string(), std::string_view(text), 0600); !st)
    return make_error("chain", "KEYSTORE_IO", st.error().message);
  return ok_status();
}

// Refuses a key store directory another user could write into (they could plant or swap key files).
Status check_keyring(const std::filesystem::path& dir) {
  if (dir.empty())
    return make_error("chain", "NO_KEYRING_DIR",
                      "no key store directory: HOME is not set; set SNPRELAY_KEYRING_DIR or keyring_dir",
                      ErrorKind::kInput);
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(dir, ec)))
    return ok_status();
  if (std::string problem = private_dir_problem(dir.string()); !problem.empty())
    return make_error("chain", "KEYRING_INSECURE",
                      "key store " + dir.string() + " " + problem +
                          "; it must be a directory of this user that "
                          "no one else can write (chmod 700 it)",
                      ErrorKind::kInput);
  return ok_status();
}

}  // namespace

KeyStore::KeyStore(std::filesystem::path dir, KeyStoreOptions options)
    : dir_(std::move(dir)), options_(options) {}

std::filesystem::path KeyStore::default_dir() {
  if (const char* d = std::getenv("SNPRELAY_KEYRING_DIR"); d != nullptr && *d != '\0')
    return d;
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    return {};  // every operation on an empty directory fails with NO_KEYRING_DIR
  return std::filesystem::path(home) / ".snprelay" / "keys";
}

Status KeyStore::validate_name(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 64 && name[0] != '.' &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           c == '.' || c == '_' || c == '-';
                  });
  if (!ok)
    return make_error(
        "chain", "INVALID_KEY_NAME",
        "key name \"" + name + "\" must be 1..64 characters of [A-Za-z0-9._-], not starting with '.'",
        ErrorKind::kInput);
  return ok_status();
}

std::filesystem::path KeyStore::path_of(const std::string& name) const {
  return dir_ / (name + ".key");
}

Status KeyStore::add(const std::string& name, const AccountKey& key, const std::string& address,
                     const std::string& hd_path, Sealer& sealer) const {
  if (auto st = validate_name(name); !st)
    return st;
  if (auto st = check_keyring(dir_); !st)
    return st;
  if (auto st = make_private_dirs(dir_.string()); !st)
    return io_error(dir_, "cannot create key directory (" + st.error().message + ")");
  const auto path = path_of(name);
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, ec)))
    return make_error("chain", "KEY_EXISTS",
                      "a key named \"" + name + "\" already exists (" + path.string() + ")",
                      ErrorKind::kInput);
  KeyInfo info{name, address, key.public_key, hd_path, "", kVersion};
  auto doc = encrypt_v2(info, static_cast<std::int64_t>(std::time(nullptr)), key, sealer);
  if (!doc)
    return doc.error();
  return write_atomically(doc->dump(2) + "\n", path);
}

Status KeyStore::add(const std::string& name, const AccountKey& key, const std::string& address,
                     const std::string& hd_path, const SecretBytes& passphrase) const {
  PassphraseSealer sealer(passphrase, options_.scrypt_log2_n);
  return add(name, key, address, hd_path, sealer);
}

Result<KeyInfo> KeyStore::show(const std::string& name) const {
  if (auto st = validate_name(name); !st)
    return st.error();
  if (auto st = check_keyring(dir_); !st)
    return st.error();
  auto parsed = read_key_file(path_of(name), name);
  if (!parsed)
    return parsed.error();
  return std::move(parsed->info);
}

Result<KeyListing> KeyStore::scan() const {
  KeyListing out;
  if (auto st = check_keyring(dir_); !st)
    return st.error();
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec))
    return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const auto file = entry.path().filename().string();
    if (file.size() <= 4 || file[0] == '.' || entry.path().extension() != ".key")
      continue;
    auto info = show(file.substr(0, file.size() - 4));
    if (info)
      out.keys.push_back(std::move(*info));
    else
      out.unreadable.push_back(info.error());
  }
  if (ec)
    return io_error(dir_, "cannot list", ErrorKind::kInput);
  std::sort(out.keys.begin(), out.keys.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  std::sort(out.unreadable.begin(), out.unreadable.end(),
            [](const Error& a, const Error& b) { return a.message < b.message; });
  return out;
}

Result<std::vector<KeyInfo>> KeyStore::list() const {
  auto listing = scan();
  if (!listing)
    return listing.error();
  for (const Error& e : listing->unreadable)
    spdlog::warn("skipping an unreadable key file: {}", e.to_string());
  return std::move(listing->keys);
}

Result<AccountKey> KeyStore::unlock(const std::string& name, Sealer& sealer) const {
  if (auto st = validate_name(name); !st)
    return st.error();
  if (auto st = check_keyring(dir_); !st)
    return st.error();
  const auto path = path_of(name);
  auto parsed = read_key_file(path, name);
  if (!parsed)
    return parsed.error();
  return decrypt(*parsed, path, sealer);
}

Result<AccountKey> KeyStore::unlock(const std::string& name, const SecretBytes& passphrase) const {
  PassphraseSealer sealer(passphrase, options_.scrypt_log2_n);
  return unlock(name, sealer);
}

Result<KeyInfo> KeyStore::reprotect(const std::string& name, Sealer& from, Sealer& to) const {
  if (auto st = validate_name(name); !st)
    return st.error();
  if (auto st = check_keyring(dir_); !st)
    return st.error();
  const auto path = path_of(name);
  auto parsed = read_key_file(path, name);
  if (!parsed)
    return parsed.error();
  auto key = decrypt(*parsed, path, from);
  if (!key)
    return key.error();
  ParsedFile next{parsed->info, {}, parsed->created_unix};
  auto doc = encrypt_v2(next.info, parsed->created_unix, *key, to);
  if (!doc)
    return doc.error();
  // Open the new document before it replaces the old file: a sealer that cannot unseal what it just
  // sealed (a PCR that moves, another VMPL) must not cost the operator the key.
  const std::string text = doc->dump(2) + "\n";
  next.doc = nlohmann::json::parse(text);
  auto check = decrypt(next, path, to);
  if (!check)
    return make_error("chain", "REPROTECT_CHECK_FAILED",
                      "the key sealed with " + std::string(to.mode()) +
                          " did not open again, so the old file was kept: " + check.error().to_string(),
                      ErrorKind::kRejected);
  if (auto st = write_atomically(text, path); !st)
    return st.error();
  return next.info;
}

Status KeyStore::remove(const std::string& name) const {
  if (auto st = validate_name(name); !st)
    return st;
  if (auto st = check_keyring(dir_); !st)
    return st;
  const auto path = path_of(name);
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec)))
    return make_error("chain", "KEY_NOT_FOUND", "no key named \"" + name + "\" (" + path.string() + ")",
                      ErrorKind::kInput);
  if (::unlink(path.c_str()) != 0)
    return io_error(path, "cannot delete");
  return ok_status();
}

}  // namespace snprelay::chain::keys
