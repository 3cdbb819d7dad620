#include "common/aead.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace snprelay {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

Status check_sizes(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce) {
  if (key.size() != kAeadKeyLen || nonce.size() != kAeadNonceLen)
    return make_error("crypto", "BAD_KEY",
                      "AES-256-GCM needs a 32-byte key and a 12-byte nonce, got " +
                          std::to_string(key.size()) + " and " + std::to_string(nonce.size()));
  return ok_status();
}

int len_of(std::size_t n) {
  return static_cast<int>(n);
}

}  // namespace

Result<Bytes> aead_seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                        std::span<const std::uint8_t> aad, std::span<const std::uint8_t> plaintext) {
  if (auto st = check_sizes(key, nonce); !st)
    return st.error();
  Bytes out(plaintext.size() + kAeadTagLen);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int fin = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), len_of(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(), len_of(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAeadTagLen, out.data() + plaintext.size()) != 1)
    return make_error("crypto", "CRYPTO_FAILED", "AES-256-GCM encryption failed in OpenSSL");
  return out;
}

Result<SecretBytes> aead_open(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                              std::span<const std::uint8_t> aad,
                              std::span<const std::uint8_t> ciphertext_and_tag) {
  if (auto st = check_sizes(key, nonce); !st)
    return st.error();
  if (ciphertext_and_tag.size() < kAeadTagLen)
    return make_error("crypto", "SHORT_CIPHERTEXT",
                      "AES-256-GCM input of " + std::to_string(ciphertext_and_tag.size()) +
                          " bytes is shorter than its 16-byte tag",
                      ErrorKind::kInput);
  const std::size_t n = ciphertext_and_tag.size() - kAeadTagLen;
  SecretBytes plain(n);
  // The tag is handed to OpenSSL through a non-const pointer; copy it out of the caller's buffer.
  std::uint8_t tag[kAeadTagLen];
  std::copy(ciphertext_and_tag.begin() + static_cast<std::ptrdiff_t>(n), ciphertext_and_tag.end(), tag);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int fin = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), len_of(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), plain.data(), &len, ciphertext_and_tag.data(), len_of(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAeadTagLen, tag) != 1)
    return make_error("crypto", "CRYPTO_FAILED", "AES-256-GCM decryption failed in OpenSSL");
  if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &fin) != 1)
    return make_error("crypto", "AUTH_FAILED", "AES-256-GCM tag does not verify", ErrorKind::kInput);
  return plain;
}

Status fill_random(std::span<std::uint8_t> out) {
  if (!out.empty() && RAND_bytes(out.data(), len_of(out.size())) != 1)
    return make_error("crypto", "RANDOM_FAILED", "OpenSSL RAND_bytes failed");
  return ok_status();
}

Result<SecretBytes> random_secret(std::size_t length) {
  SecretBytes out(length);
  if (auto st = fill_random(out.mutable_view()); !st)
    return st.error();
  return out;
}

}  // namespace snprelay
