// Owning handles for the OpenSSL objects attest/ uses. Every handle is a std::unique_ptr whose
// deleter is the matching OpenSSL free function, created at the line that allocates the object, so
// no code path frees by hand and the type says who owns what. Also the two helpers every OpenSSL
// caller shares: ossl_int (a length for an `int` parameter, checked, never narrowed) and
// ecdsa_signature_der (raw r/s scalars to the DER signature the EVP verify calls take).
//
// Thread-safety: as OpenSSL's; an object must not be mutated from two threads at once. Const use of
// a parsed X509 / EVP_PKEY from several threads is safe in OpenSSL 3.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace snprelay::attest {

template <auto Fn>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OsslDeleter<X509_CRL_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslDeleter<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslDeleter<ECDSA_SIG_free>>;

// A buffer length for an OpenSSL call that takes `int`; nullopt when it does not fit (never narrowed).
[[nodiscard]] inline std::optional<int> ossl_int(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX))
    return std::nullopt;
  return static_cast<int>(n);
}

// How r and s are laid out: the SNP report stores them little-endian (zero-extended to 72 bytes),
// TPM2B_ECC_PARAMETER big-endian.
enum class ScalarOrder { kLittleEndian, kBigEndian };

// The DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) that EVP_DigestVerify / EVP_PKEY_verify
// take, built from the raw scalars `r` and `s`. nullopt only when OpenSSL fails to allocate.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> ecdsa_signature_der(std::span<const std::uint8_t> r,
                                                                           std::span<const std::uint8_t> s,
                                                                           ScalarOrder order);

}  // namespace snprelay::attest
