#include "attest/sealing/hkdf.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include <memory>

#include "attest/ossl.hpp"

namespace snprelay::attest {
namespace {

using KdfPtr = std::unique_ptr<EVP_KDF, OsslDeleter<EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OsslDeleter<EVP_KDF_CTX_free>>;

constexpr std::size_t kMaxOutput = std::size_t{255} * 32;  // RFC 5869 §2.3 with SHA-256

// OSSL_PARAM takes non-const pointers; OpenSSL only reads octet-string inputs.
void* param_ptr(std::span<const std::uint8_t> bytes) {
  static std::uint8_t empty = 0;
  return bytes.empty() ? &empty : const_cast<std::uint8_t*>(bytes.data());  // NOLINT
}

}  // namespace

Result<SecretBytes> hkdf_sha256(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                                std::span<const std::uint8_t> info, std::size_t length) {
  if (ikm.empty() || length == 0 || length > kMaxOutput) {
    return make_error("attest", "CRYPTO_FAILED",
                      "HKDF-SHA256 needs input key material and an output of 1.." +
                          std::to_string(kMaxOutput) + " bytes (asked for " + std::to_string(length) + ")");
  }
  KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  KdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, param_ptr(ikm), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, param_ptr(salt), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, param_ptr(info), info.size()),
      OSSL_PARAM_construct_end(),
  };
  SecretBytes out(length);
  if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
    return make_error("attest", "CRYPTO_FAILED", "HKDF-SHA256 failed in OpenSSL");
  return out;
}

}  // namespace snprelay::attest
