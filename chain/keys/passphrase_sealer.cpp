#include "chain/keys/passphrase_sealer.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "common/aead.hpp"

namespace snprelay::chain::keys {
namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'R', 'P', 'P'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kSaltLen = 16;
constexpr std::size_t kHeaderLen = 37;  // through the secret length byte
constexpr std::size_t kMaxSecret = 128;

Error bad_envelope(const std::string& what) {
  return make_error("chain", "BAD_ENVELOPE", "passphrase envelope: " + what, ErrorKind::kInput);
}

}  // namespace

Result<SecretBytes> scrypt_key(const SecretBytes& passphrase, std::span<const std::uint8_t> salt,
                               unsigned log2_n, unsigned r, unsigned p) {
  if (log2_n < 1 || log2_n > 20 || r == 0 || r > 32 || p == 0 || p > 16)
    return make_error("chain", "KEYFILE_INVALID",
                      "scrypt parameters out of range (log2_n 1..20, r 1..32, p 1..16): " +
                          std::to_string(log2_n) + ", " + std::to_string(r) + ", " + std::to_string(p),
                      ErrorKind::kInput);
  SecretBytes key(32);
  if (EVP_PBE_scrypt(reinterpret_cast<const char*>(passphrase.data()), passphrase.size(), salt.data(),
                     salt.size(), std::uint64_t{1} << log2_n, r, p, 1ull << 30, key.data(), key.size()) != 1)
    return make_error("chain", "CRYPTO_FAILED", "scrypt failed in OpenSSL");
  return key;
}

PassphraseSealer::PassphraseSealer(SecretBytes passphrase, unsigned scrypt_log2_n)
    : passphrase_(std::move(passphrase)), log2_n_(scrypt_log2_n) {}

Result<Bytes> PassphraseSealer::seal(const SecretBytes& secret) {
  if (passphrase_.empty())
    return make_error("chain", "EMPTY_PASSPHRASE", "a key store passphrase must not be empty",
                      ErrorKind::kInput);
  if (secret.empty() || secret.size() > kMaxSecret)
    return make_error("chain", "BAD_SECRET",
                      "a sealed secret must be 1..128 bytes, got " + std::to_string(secret.size()),
                      ErrorKind::kInput);
  auto salt = random_secret(kSaltLen);
  if (!salt)
    return salt.error();
  auto nonce = random_secret(kAeadNonceLen);
  if (!nonce)
    return nonce.error();
  auto kek = scrypt_key(passphrase_, salt->view(), log2_n_, 8, 1);
  if (!kek)
    return kek.error();
  Bytes env(std::begin(kMagic), std::end(kMagic));
  env.push_back(kVersion);
  env.push_back(static_cast<std::uint8_t>(log2_n_));
  env.push_back(8);
  env.push_back(1);
  env.insert(env.end(), salt->view().begin(), salt->view().end());
  env.insert(env.end(), nonce->view().begin(), nonce->view().end());
  env.push_back(static_cast<std::uint8_t>(secret.size()));
  auto ct = aead_seal(kek->view(), nonce->view(), env, secret.view());
  if (!ct)
    return make_error("chain", "CRYPTO_FAILED", ct.error().message);
  env.insert(env.end(), ct->begin(), ct->end());
  return env;
}

Result<SecretBytes> PassphraseSealer::unseal(std::span<const std::uint8_t> env) {
  if (env.size() < kHeaderLen)
    return bad_envelope("truncated header (" + std::to_string(env.size()) + " bytes)");
  if (!std::equal(std::begin(kMagic), std::end(kMagic), env.begin()))
    return bad_envelope("bad magic (not a passphrase envelope)");
  if (env[4] != kVersion)
    return bad_envelope("unknown version " + std::to_string(env[4]) + " (supported: 1)");
  const std::size_t n = env[36];
  if (n == 0 || n > kMaxSecret)
    return bad_envelope("secret length " + std::to_string(n) + " out of range 1..128");
  if (env.size() != kHeaderLen + n + kAeadTagLen)
    return bad_envelope("length " + std::to_string(env.size()) + ", expected " +
                        std::to_string(kHeaderLen + n + kAeadTagLen));
  auto kek = scrypt_key(passphrase_, env.subspan(8, kSaltLen), env[5], env[6], env[7]);
  if (!kek)
    return kek.error();
  auto plain =
      aead_open(kek->view(), env.subspan(24, kAeadNonceLen), env.first(kHeaderLen), env.subspan(kHeaderLen));
  if (!plain) {
    if (plain.error().code == "AUTH_FAILED")
      return make_error("chain", "WRONG_PASSPHRASE", "wrong passphrase, or the key file was modified",
                        ErrorKind::kInput);
    return make_error("chain", "CRYPTO_FAILED", plain.error().message);
  }
  return plain;
}

}  // namespace snprelay::chain::keys
