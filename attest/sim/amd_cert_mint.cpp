#include "attest/sim/amd_cert_mint.hpp"

#include <openssl/asn1.h>
#include <openssl/ecdsa.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <functional>

namespace snprelay::attest {
namespace {

using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OsslDeleter<ASN1_INTEGER_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OsslDeleter<ASN1_OBJECT_free>>;
using Asn1OctetPtr = std::unique_ptr<ASN1_OCTET_STRING, OsslDeleter<ASN1_OCTET_STRING_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OsslDeleter<ASN1_TIME_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OsslDeleter<X509_EXTENSION_free>>;
using RevokedPtr = std::unique_ptr<X509_REVOKED, OsslDeleter<X509_REVOKED_free>>;

Error mint_error(const std::string& step) {
  return make_error("attest", "MINT_FAILED", step + " failed");
}

Result<EvpPkeyPtr> generate(const char* type, const std::function<bool(EVP_PKEY_CTX*)>& configure) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || !configure(ctx.get())) {
    return mint_error(std::string("key generation set-up (") + type + ")");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1)
    return mint_error(std::string("key generation (") + type + ")");
  return EvpPkeyPtr(raw);
}

// A digest-sign context in AMD's profile: RSASSA-PSS SHA-384/MGF1-SHA-384/salt 48, or ECDSA SHA-384.
Result<EvpMdCtxPtr> sign_ctx(EVP_PKEY* key) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha384(), nullptr, key) != 1) {
    return mint_error("EVP_DigestSignInit");
  }
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1)) {
    return mint_error("RSA-PSS parameters");
  }
  return ctx;
}

bool set_amd_name(X509_NAME* name, const std::string& cn) {
  const std::pair<const char*, std::string> fields[] = {
      {"OU", "Engineering"},           {"C", "US"}, {"L", "Santa Clara"}, {"ST", "CA"},
      {"O", "Advanced Micro Devices"}, {"CN", cn}};
  for (const auto& [field, value] : fields) {
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) != 1) {
      return false;
    }
  }
  return true;
}

// IA5String with a short-form length: the product names and CSP ids it carries are < 128 bytes.
Bytes der_ia5(const std::string& s) {
  Bytes out(s.size() + 2);
  out[0] = 0x16;
  out[1] = static_cast<std::uint8_t>(std::min<std::size_t>(s.size(), 127));
  std::copy(s.begin(), s.begin() + out[1], out.begin() + 2);
  out.resize(2 + out[1]);
  return out;
}

Result<std::string> bio_text(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr)
    return mint_error("BIO_get_mem_ptr");
  return std::string(mem->data, mem->length);
}

}  // namespace

Result<EvpPkeyPtr> generate_rsa4096() {
  return generate("RSA", [](EVP_PKEY_CTX* ctx) { return EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 4096) == 1; });
}

Result<EvpPkeyPtr> generate_p384() {
  return generate("EC", [](EVP_PKEY_CTX* ctx) { return EVP_PKEY_CTX_set_group_name(ctx, "P-384") == 1; });
}

Result<std::string> private_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return mint_error("PEM_write_bio_PrivateKey");
  }
  return bio_text(bio.get());
}

Result<EvpPkeyPtr> parse_private_key_pem(std::span<const std::uint8_t> pem) {
  const auto len = ossl_int(pem.size());
  BioPtr bio(len ? BIO_new_mem_buf(pem.data(), *len) : nullptr);
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key)
    return make_error("attest", "KEY_INVALID", "not a PEM private key", ErrorKind::kInput);
  return key;
}

Result<std::string> cert_pem(const X509& cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), const_cast<X509*>(&cert)) != 1)
    return mint_error("PEM_write_bio_X509");
  return bio_text(bio.get());
}

Result<X509Ptr> mint_cert(const CertSpec& spec) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), spec.serial) != 1 ||
      !set_amd_name(X509_get_subject_name(cert.get()), spec.common_name) ||
      X509_set_issuer_name(cert.get(), spec.issuer != nullptr ? X509_get_subject_name(spec.issuer)
                                                              : X509_get_subject_name(cert.get())) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), spec.not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), spec.not_after) == nullptr ||
      X509_set_pubkey(cert.get(), spec.subject_key) != 1) {
    return mint_error("certificate fields for " + spec.common_name);
  }
  if (spec.ca) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, spec.issuer != nullptr ? const_cast<X509*>(spec.issuer) : cert.get(), cert.get(),
                   nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                     std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"}}) {
      ExtensionPtr e(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
      if (!e || X509_add_ext(cert.get(), e.get(), -1) != 1)
        return mint_error("CA extensions");
    }
  }
  for (const auto& ext : spec.extensions) {
    Asn1ObjectPtr obj(OBJ_txt2obj(ext.oid.c_str(), 1));
    Asn1OctetPtr data(ASN1_OCTET_STRING_new());
    const auto len = ossl_int(ext.value.size());
    if (!obj || !data || !len || ASN1_OCTET_STRING_set(data.get(), ext.value.data(), *len) != 1) {
      return mint_error("extension " + ext.oid);
    }
    ExtensionPtr e(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 0, data.get()));
    if (!e || X509_add_ext(cert.get(), e.get(), -1) != 1)
      return mint_error("extension " + ext.oid);
  }
  auto ctx = sign_ctx(spec.issuer_key);
  if (!ctx)
    return ctx.error();
  if (X509_sign_ctx(cert.get(), ctx->get()) <= 0)
    return mint_error("signing " + spec.common_name);
  return cert;
}

Bytes der_integer(long v) {
  Asn1IntegerPtr i(ASN1_INTEGER_new());
  ASN1_INTEGER_set(i.get(), v);
  const int len = i2d_ASN1_INTEGER(i.get(), nullptr);
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_ASN1_INTEGER(i.get(), &p);
  return out;
}

std::vector<RawExtension> vek_extensions(const VekSpec& s) {
  const std::string arc = "1.3.6.1.4.1.3704.1.";
  std::vector<RawExtension> e = {{arc + "1", der_integer(static_cast<long>(s.struct_version))},
                                 {arc + "2", der_ia5(s.product_name)},
                                 {arc + "3.1", der_integer(s.bl)},
                                 {arc + "3.2", der_integer(s.tee)},
                                 {arc + "3.3", der_integer(s.snp)}};
  if (s.struct_version == 0)
    e.push_back({arc + "3.4", der_integer(0)});  // Turin certificates omit spl_4
  for (const char* x : {"3.5", "3.6", "3.7"})
    e.push_back({arc + x, der_integer(0)});
  e.push_back({arc + "3.8", der_integer(s.ucode)});
  if (s.fmc)
    e.push_back({arc + "3.9", der_integer(*s.fmc)});
  if (!s.hw_id.empty())
    e.push_back({arc + "4", s.hw_id});  // raw bytes, as AMD encodes it
  if (s.csp_id)
    e.push_back({arc + "5", der_ia5(*s.csp_id)});
  return e;
}

Result<X509CrlPtr> mint_crl(const X509& ark, EVP_PKEY* ark_key, const std::vector<long>& revoked_serials,
                            std::time_t this_update, std::time_t next_update) {
  X509CrlPtr crl(X509_CRL_new());
  Asn1TimePtr last(ASN1_TIME_set(nullptr, this_update));
  Asn1TimePtr next(ASN1_TIME_set(nullptr, next_update));
  if (!crl || !last || !next || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(&ark)) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return mint_error("CRL fields");
  }
  for (const long serial : revoked_serials) {
    RevokedPtr r(X509_REVOKED_new());
    Asn1IntegerPtr s(ASN1_INTEGER_new());
    if (!r || !s || ASN1_INTEGER_set(s.get(), serial) != 1 ||
        X509_REVOKED_set_serialNumber(r.get(), s.get()) != 1 ||
        X509_REVOKED_set_revocationDate(r.get(), last.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), r.get()) != 1) {
      return mint_error("CRL entry");
    }
    (void)r.release();  // now owned by the CRL
  }
  auto ctx = sign_ctx(ark_key);
  if (!ctx)
    return ctx.error();
  if (X509_CRL_sign_ctx(crl.get(), ctx->get()) <= 0)
    return mint_error("signing the CRL");
  return crl;
}

Status sign_report(std::span<std::uint8_t> report, EVP_PKEY* vcek_key) {
  constexpr std::size_t kSigned = 0x2A0;
  if (report.size() != 1184)
    return make_error("attest", "MINT_FAILED", "a report is 1184 bytes");
  std::uint8_t digest[SHA384_DIGEST_LENGTH];
  SHA384(report.data(), kSigned, digest);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(vcek_key, nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, digest, sizeof digest) != 1) {
    return mint_error("ECDSA set-up");
  }
  Bytes der(len);
  if (EVP_PKEY_sign(ctx.get(), der.data(), &len, digest, sizeof digest) != 1)
    return mint_error("ECDSA signing");
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig)
    return mint_error("decoding the ECDSA signature");
  std::fill(report.begin() + kSigned, report.end(), std::uint8_t{0});
  if (BN_bn2lebinpad(ECDSA_SIG_get0_r(sig.get()), report.data() + 0x2A0, 72) != 72 ||
      BN_bn2lebinpad(ECDSA_SIG_get0_s(sig.get()), report.data() + 0x2E8, 72) != 72) {
    return mint_error("encoding R and S");
  }
  return ok_status();
}

}  // namespace snprelay::attest
