// Test support: a look-alike AMD key hierarchy (same names, profile and extensions as AMD's, our own
// keys from tests/data/snp/lookalike/) to re-sign mutated reports, so that the checks behind the
// signature (TCB and chip binding, signer, version, policy, reserved bytes) can each be triggered.
// Test code only; never linked into the product.
#pragma once

#include <openssl/asn1.h>
#include <openssl/ecdsa.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "attest/certs.hpp"
#include "attest/ossl.hpp"
#include "attest/report.hpp"
#include "common/hex.hpp"

namespace snprelay::testing {

using attest::BioPtr;
using attest::EvpMdCtxPtr;
using attest::EvpPkeyPtr;
using attest::X509CrlPtr;
using attest::X509Ptr;

inline EvpPkeyPtr load_key(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes)
    std::abort();
  BioPtr bio(BIO_new_mem_buf(bytes->data(), static_cast<int>(bytes->size())));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key)
    std::abort();
  return key;
}

// Signs with RSASSA-PSS SHA-384 / MGF1-SHA-384 / salt 48 (AMD's profile) or ECDSA for EC keys.
inline EvpMdCtxPtr pss_ctx(EVP_PKEY* key) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha384(), nullptr, key) != 1)
    std::abort();
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384());
  }
  return ctx;
}

inline void set_amd_name(X509_NAME* name, const std::string& cn) {
  auto add = [&](const char* field, const std::string& value) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  };
  add("OU", "Engineering");
  add("C", "US");
  add("L", "Santa Clara");
  add("ST", "CA");
  add("O", "Advanced Micro Devices");
  add("CN", cn);
}

// One raw extension: OID and the DER (or raw) bytes of its value.
struct RawExt {
  std::string oid;
  Bytes value;
};

inline Bytes der_integer(long v) {
  using IntPtr = std::unique_ptr<ASN1_INTEGER, attest::OsslDeleter<ASN1_INTEGER_free>>;
  IntPtr i(ASN1_INTEGER_new());
  ASN1_INTEGER_set(i.get(), v);
  const int len = i2d_ASN1_INTEGER(i.get(), nullptr);
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_ASN1_INTEGER(i.get(), &p);
  return out;
}

inline Bytes der_ia5(const std::string& s) {
  Bytes out = {0x16, static_cast<std::uint8_t>(s.size())};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

inline X509Ptr make_cert(const std::string& cn, const X509* issuer, EVP_PKEY* issuer_key,
                         EVP_PKEY* subject_key, long serial, std::time_t not_before, std::time_t not_after,
                         bool ca, const std::vector<RawExt>& exts = {}) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  set_amd_name(X509_get_subject_name(cert.get()), cn);
  X509_set_issuer_name(cert.get(),
                       issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(cert.get()));
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), subject_key);
  if (ca) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? const_cast<X509*>(issuer) : cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                     std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"}}) {
      X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(cert.get(), e, -1);
      X509_EXTENSION_free(e);
    }
  }
  for (const auto& ext : exts) {
    using ObjPtr = std::unique_ptr<ASN1_OBJECT, attest::OsslDeleter<ASN1_OBJECT_free>>;
    using OctPtr = std::unique_ptr<ASN1_OCTET_STRING, attest::OsslDeleter<ASN1_OCTET_STRING_free>>;
    ObjPtr obj(OBJ_txt2obj(ext.oid.c_str(), 1));
    OctPtr data(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(data.get(), ext.value.data(), static_cast<int>(ext.value.size()));
    X509_EXTENSION* e = X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 0, data.get());
    X509_add_ext(cert.get(), e, -1);
    X509_EXTENSION_free(e);
  }
  auto ctx = pss_ctx(issuer_key);
  if (X509_sign_ctx(cert.get(), ctx.get()) <= 0)
    std::abort();
  return cert;
}

// What the look-alike VCEK should carry.
struct VcekSpec {
  std::int64_t struct_version = 0;
  std::string product_name = "Milan-B0";
  std::uint8_t bl = 0, tee = 0, snp = 0, ucode = 0;
  std::optional<std::uint8_t> fmc;
  Bytes hw_id;  // 64 bytes (or 8 on Turin); empty = no hwID
  std::string cn = "SEV-VCEK";
  std::optional<std::string> csp_id;
};

class LookAlike {
 public:
  // `product` names the chain ("Milan" -> ARK-Milan, SEV-Milan). Validity: 2020..2045 for ARK/ASK,
  // 2024..2031 for VCEKs.
  explicit LookAlike(const std::string& data_dir, const std::string& product = "Milan", bool vlek = false)
      : ark_key_(load_key(data_dir + "/snp/lookalike/ark_key.pem")),
        ask_key_(load_key(data_dir + "/snp/lookalike/ask_key.pem")),
        vcek_key_(load_key(data_dir + "/snp/lookalike/vcek_key.pem")) {
    ark_ =
        make_cert("ARK-" + product, nullptr, ark_key_.get(), ark_key_.get(), 0x10000, kT2020, kT2045, true);
    ask_ = make_cert((vlek ? "SEV-VLEK-" : "SEV-") + product, ark_.get(), ark_key_.get(), ask_key_.get(),
                     0x10001, kT2020, kT2045, true);
  }

  X509Ptr vcek(const VcekSpec& s, std::time_t not_after = kT2031) const {
    const std::string arc = "1.3.6.1.4.1.3704.1.";
    std::vector<RawExt> e = {{arc + "1", der_integer(s.struct_version)},
                             {arc + "2", der_ia5(s.product_name)},
                             {arc + "3.1", der_integer(s.bl)},
                             {arc + "3.2", der_integer(s.tee)},
                             {arc + "3.3", der_integer(s.snp)}};
    if (s.struct_version == 0)
      e.push_back({arc + "3.4", der_integer(0)});
    for (const char* x : {"3.5", "3.6", "3.7"})
      e.push_back({arc + x, der_integer(0)});
    e.push_back({arc + "3.8", der_integer(s.ucode)});
    if (s.fmc)
      e.push_back({arc + "3.9", der_integer(*s.fmc)});
    if (!s.hw_id.empty())
      e.push_back({arc + "4", s.hw_id});
    if (s.csp_id)
      e.push_back({arc + "5", der_ia5(*s.csp_id)});
    return make_cert(s.cn, ask_.get(), ask_key_.get(), vcek_key_.get(), 0, kT2024, not_after, false, e);
  }

  // A CRL signed by the look-alike ARK that lists `revoked` (by serial).
  X509CrlPtr crl(const X509* revoked) const {
    X509CrlPtr crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ark_.get()));
    using TimePtr = std::unique_ptr<ASN1_TIME, attest::OsslDeleter<ASN1_TIME_free>>;
    TimePtr t(ASN1_TIME_set(nullptr, kT2024));
    X509_CRL_set1_lastUpdate(crl.get(), t.get());
    if (revoked != nullptr) {
      X509_REVOKED* r = X509_REVOKED_new();
      X509_REVOKED_set_serialNumber(r, const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(revoked)));
      X509_REVOKED_set_revocationDate(r, t.get());
      X509_CRL_add0_revoked(crl.get(), r);
    }
    auto ctx = pss_ctx(ark_key_.get());
    if (X509_CRL_sign_ctx(crl.get(), ctx.get()) <= 0)
      std::abort();
    return crl;
  }

  // Re-signs `raw` (1184 bytes) in place with the look-alike VCEK key: R and S little-endian.
  void sign(Bytes& raw) const {
    std::uint8_t digest[SHA384_DIGEST_LENGTH];
    SHA384(raw.data(), attest::kSignedSize, digest);
    attest::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(vcek_key_.get(), nullptr));
    std::size_t len = 0;
    EVP_PKEY_sign_init(ctx.get());
    EVP_PKEY_sign(ctx.get(), nullptr, &len, digest, sizeof digest);
    Bytes der(len);
    if (EVP_PKEY_sign(ctx.get(), der.data(), &len, digest, sizeof digest) != 1)
      std::abort();
    const unsigned char* p = der.data();
    attest::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
    std::fill(raw.begin() + 0x2A0, raw.begin() + 0x330, 0);
    BN_bn2lebinpad(ECDSA_SIG_get0_r(sig.get()), raw.data() + 0x2A0, 72);
    BN_bn2lebinpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 0x2E8, 72);
  }

  [[nodiscard]] const X509* ark() const { return ark_.get(); }
  [[nodiscard]] const X509* ask() const { return ask_.get(); }
  [[nodiscard]] X509Ptr ark_copy() const {
    X509_up_ref(ark_.get());
    return X509Ptr(ark_.get());
  }

  static constexpr std::time_t kT2020 = 1577836800;  // 2020-01-01
  static constexpr std::time_t kT2024 = 1704067200;  // 2024-01-01
  static constexpr std::time_t kT2031 = 1924992000;  // 2031-01-01
  static constexpr std::time_t kT2045 = 2366841600;  // 2045-01-01

 private:
  EvpPkeyPtr ark_key_, ask_key_, vcek_key_;
  X509Ptr ark_, ask_;
};

}  // namespace snprelay::testing
