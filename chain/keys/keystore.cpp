#include "chain/keys/keystore.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chain/crypto/hash.hpp"

namespace snprelay::chain::keys {
namespace {

constexpr int kVersion = 1;
constexpr std::size_t kSaltLen = 16;
constexpr std::size_t kNonceLen = 12;
constexpr std::size_t kTagLen = 16;

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

Error io_error(const std::filesystem::path& p, const std::string& what) {
  return make_error("chain", "KEYSTORE_IO", what + ": " + p.string());
}

std::string aad_of(const std::string& name, const std::string& address, const std::string& pubkey_hex) {
  std::string aad = "snprelay-key/v1";
  aad += '\0' + name + '\0' + address + '\0' + pubkey_hex;
  return aad;
}

Result<SecretBytes> derive_kek(const SecretBytes& passphrase, std::span<const std::uint8_t> salt,
                               unsigned log2_n, unsigned r, unsigned p) {
  if (log2_n < 1 || log2_n > 20 || r == 0 || r > 32 || p == 0 || p > 16)
    return make_error("chain", "KEYFILE_INVALID", "scrypt parameters out of range");
  SecretBytes kek(32);
  if (EVP_PBE_scrypt(reinterpret_cast<const char*>(passphrase.data()), passphrase.size(), salt.data(),
                     salt.size(), std::uint64_t{1} << log2_n, r, p, 1ull << 30, kek.data(), kek.size()) != 1)
    return make_error("chain", "CRYPTO_FAILED", "scrypt failed in OpenSSL");
  return kek;
}

struct ParsedFile {
  KeyInfo info;
  nlohmann::json doc;
};

Result<ParsedFile> read_key_file(const std::filesystem::path& path, const std::string& name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error("chain", "KEY_NOT_FOUND", "no key named \"" + name + "\" (" + path.string() + ")");
  if ((st.st_mode & 077) != 0) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 0777);
    return make_error("chain", "INSECURE_PERMISSIONS",
                      path.string() + " has mode 0" + mode.str() + "; key files must be 0600 (chmod 600 it)");
  }
  auto bytes = read_file(path.string());
  if (!bytes)
    return io_error(path, "cannot read");
  ParsedFile out;
  try {
    out.doc = nlohmann::json::parse(bytes->begin(), bytes->end());
    if (out.doc.at("format").get<std::string>() != "snprelay-key")
      return make_error("chain", "KEYFILE_INVALID", path.string() + " is not an snprelay key file");
    if (out.doc.at("version").get<int>() != kVersion)
      return make_error(
          "chain", "KEYFILE_UNSUPPORTED",
          path.string() + " has key file version " + out.doc.at("version").dump() + " (supported: 1)");
    out.info.name = out.doc.at("name").get<std::string>();
    out.info.address = out.doc.at("address").get<std::string>();
    out.info.hd_path = out.doc.at("hd_path").get<std::string>();
    auto pub = from_hex(out.doc.at("pubkey").get<std::string>());
    if (!pub || pub->size() != 33)
      return make_error("chain", "KEYFILE_INVALID", path.string() + ": pubkey is not 33 bytes of hex");
    std::copy(pub->begin(), pub->end(), out.info.public_key.begin());
  } catch (const nlohmann::json::exception& e) {
    return make_error("chain", "KEYFILE_INVALID", path.string() + ": " + e.what());
  }
  if (out.info.name != name)
    return make_error("chain", "KEYFILE_INVALID", path.string() + " names key \"" + out.info.name + "\"");
  return out;
}

}  // namespace

KeyStore::KeyStore(std::filesystem::path dir, KeyStoreOptions options)
    : dir_(std::move(dir)), options_(options) {}

std::filesystem::path KeyStore::default_dir() {
  if (const char* d = std::getenv("SNPRELAY_KEYRING_DIR"); d != nullptr && *d != '\0')
    return d;
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".snprelay" / "keys";
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
        "key name \"" + name + "\" must be 1..64 characters of [A-Za-z0-9._-], not starting with '.'");
  return ok_status();
}

std::filesystem::path KeyStore::path_of(const std::string& name) const {
  return dir_ / (name + ".key");
}

Status KeyStore::add(const std::string& name, const AccountKey& key, const std::string& address,
                     const std::string& hd_path, const SecretBytes& passphrase) const {
  if (auto st = validate_name(name); !st)
    return st;
  if (passphrase.empty())
    return make_error("chain", "EMPTY_PASSPHRASE", "a key store passphrase must not be empty");
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec)
    return io_error(dir_, "cannot create key directory");
  ::chmod(dir_.c_str(), 0700);
  const auto path = path_of(name);
  if (std::filesystem::exists(path))
    return make_error("chain", "KEY_EXISTS",
                      "a key named \"" + name + "\" already exists (" + path.string() + ")");

  auto salt = crypto::random_bytes(kSaltLen);
  auto nonce = crypto::random_bytes(kNonceLen);
  if (!salt || !nonce)
    return make_error("chain", "RANDOM_FAILED", "OpenSSL RAND_bytes failed");
  auto kek = derive_kek(passphrase, salt->view(), options_.scrypt_log2_n, 8, 1);
  if (!kek)
    return kek.error();
  const std::string pub_hex = to_hex(key.public_key);
  const std::string aad = aad_of(name, address, pub_hex);
  Bytes ct(key.private_key.size() + kTagLen);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int fin = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, kek->data(), nonce->data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct.data(), &len, key.private_key.data(),
                        static_cast<int>(key.private_key.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct.data() + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen, ct.data() + key.private_key.size()) != 1)
    return make_error("chain", "CRYPTO_FAILED", "AES-256-GCM encryption failed in OpenSSL");

  nlohmann::ordered_json doc = {
      {"format", "snprelay-key"},
      {"version", kVersion},
      {"name", name},
      {"address", address},
      {"pubkey", pub_hex},
      {"hd_path", hd_path},
      {"created_unix", static_cast<std::int64_t>(std::time(nullptr))},
      {"kdf",
       {{"name", "scrypt"},
        {"log2_n", options_.scrypt_log2_n},
        {"r", 8},
        {"p", 1},
        {"salt", to_hex(salt->view())}}},
      {"cipher", {{"name", "aes-256-gcm"}, {"nonce", to_hex(nonce->view())}}},
      {"ciphertext", to_hex(ct)},
  };
  const std::string text = doc.dump(2) + "\n";
  const auto tmp = dir_ / ("." + name + ".key.tmp");
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return io_error(tmp, "cannot create");
  const bool written =
      ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return io_error(path, "cannot write");
  }
  return ok_status();
}

Result<KeyInfo> KeyStore::show(const std::string& name) const {
  if (auto st = validate_name(name); !st)
    return st.error();
  auto parsed = read_key_file(path_of(name), name);
  if (!parsed)
    return parsed.error();
  return std::move(parsed->info);
}

Result<std::vector<KeyInfo>> KeyStore::list() const {
  std::vector<KeyInfo> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec))
    return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const auto file = entry.path().filename().string();
    if (file.size() <= 4 || file[0] == '.' || entry.path().extension() != ".key")
      continue;
    auto info = show(file.substr(0, file.size() - 4));
    if (!info)
      return info.error();
    out.push_back(std::move(*info));
  }
  if (ec)
    return io_error(dir_, "cannot list");
  std::sort(out.begin(), out.end(), [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  return out;
}

Result<AccountKey> KeyStore::unlock(const std::string& name, const SecretBytes& passphrase) const {
  if (auto st = validate_name(name); !st)
    return st.error();
  auto parsed = read_key_file(path_of(name), name);
  if (!parsed)
    return parsed.error();
  const auto& doc = parsed->doc;
  Bytes salt, nonce, ct;
  unsigned log2_n = 0, r = 0, p = 0;
  try {
    const auto& kdf = doc.at("kdf");
    const auto& cipher = doc.at("cipher");
    if (kdf.at("name") != "scrypt" || cipher.at("name") != "aes-256-gcm")
      return make_error("chain", "KEYFILE_UNSUPPORTED",
                        "unsupported kdf or cipher in " + path_of(name).string());
    log2_n = kdf.at("log2_n").get<unsigned>();
    r = kdf.at("r").get<unsigned>();
    p = kdf.at("p").get<unsigned>();
    auto s = from_hex(kdf.at("salt").get<std::string>());
    auto n = from_hex(cipher.at("nonce").get<std::string>());
    auto c = from_hex(doc.at("ciphertext").get<std::string>());
    if (!s || !n || !c || n->size() != kNonceLen || c->size() != 32 + kTagLen)
      return make_error("chain", "KEYFILE_INVALID",
                        "bad salt, nonce or ciphertext in " + path_of(name).string());
    salt = std::move(*s);
    nonce = std::move(*n);
    ct = std::move(*c);
  } catch (const nlohmann::json::exception& e) {
    return make_error("chain", "KEYFILE_INVALID", path_of(name).string() + ": " + e.what());
  }
  auto kek = derive_kek(passphrase, salt, log2_n, r, p);
  if (!kek)
    return kek.error();
  const std::string aad = aad_of(parsed->info.name, parsed->info.address, to_hex(parsed->info.public_key));
  SecretBytes priv(32);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, kek->data(), nonce.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), priv.data(), &len, ct.data(), 32) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, ct.data() + 32) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), priv.data() + len, &len) != 1)
    return make_error("chain", "WRONG_PASSPHRASE",
                      "cannot decrypt key \"" + name + "\": wrong passphrase or the file was modified");
  auto key = account_key_from_private(std::move(priv));
  if (!key)
    return key.error();
  if (key->public_key != parsed->info.public_key)
    return make_error("chain", "KEYFILE_INVALID", "decrypted key does not match the stored public key");
  return key;
}

Status KeyStore::remove(const std::string& name) const {
  if (auto st = validate_name(name); !st)
    return st;
  const auto path = path_of(name);
  if (!std::filesystem::exists(path))
    return make_error("chain", "KEY_NOT_FOUND", "no key named \"" + name + "\" (" + path.string() + ")");
  if (::unlink(path.c_str()) != 0)
    return io_error(path, "cannot delete");
  return ok_status();
}

}  // namespace snprelay::chain::keys
