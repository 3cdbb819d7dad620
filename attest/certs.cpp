// Certificate and CRL parsing, the AMD PSS profile and the KDS extensions.
#include "attest/certs.hpp"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>

namespace snprelay::attest {
namespace {

using Asn1IntPtr = std::unique_ptr<ASN1_INTEGER, OsslDeleter<ASN1_INTEGER_free>>;
using Ia5Ptr = std::unique_ptr<ASN1_IA5STRING, OsslDeleter<ASN1_IA5STRING_free>>;
using OctetPtr = std::unique_ptr<ASN1_OCTET_STRING, OsslDeleter<ASN1_OCTET_STRING_free>>;
using PssParamsPtr = std::unique_ptr<RSA_PSS_PARAMS, OsslDeleter<RSA_PSS_PARAMS_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, OsslDeleter<X509_ALGOR_free>>;

Error cert_error(std::string message) {
  return make_error("attest", "CERT_INVALID", std::move(message), ErrorKind::kInput);
}

std::string name_cn(const X509_NAME* name) {
  if (name == nullptr)
    return {};
  const int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0)
    return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string format_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1)
    return "?";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool is_sha384(const X509_ALGOR* alg) {
  if (alg == nullptr)
    return false;
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
  return OBJ_obj2nid(obj) == NID_sha384;
}

// Reads an INTEGER in 0..255 from DER bytes.
std::optional<std::uint8_t> read_spl(const ASN1_OCTET_STRING* data) {
  const unsigned char* p = ASN1_STRING_get0_data(data);
  const long len = ASN1_STRING_length(data);
  Asn1IntPtr i(d2i_ASN1_INTEGER(nullptr, &p, len));
  if (!i || p != ASN1_STRING_get0_data(data) + len)
    return std::nullopt;
  std::int64_t v = 0;
  if (ASN1_INTEGER_get_int64(&v, i.get()) != 1 || v < 0 || v > 255)
    return std::nullopt;
  return static_cast<std::uint8_t>(v);
}

std::optional<std::string> read_ia5(const ASN1_OCTET_STRING* data) {
  const unsigned char* p = ASN1_STRING_get0_data(data);
  const long len = ASN1_STRING_length(data);
  Ia5Ptr s(d2i_ASN1_IA5STRING(nullptr, &p, len));
  if (!s || p != ASN1_STRING_get0_data(data) + len)
    return std::nullopt;
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s.get())),
                     static_cast<std::size_t>(ASN1_STRING_length(s.get())));
}

}  // namespace

Result<X509Ptr> parse_cert_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert)
    return cert_error("not a DER X.509 certificate (" + std::to_string(der.size()) + " bytes)");
  if (p != der.data() + der.size())
    return cert_error("trailing bytes after the DER certificate");
  // DER has one encoding per certificate; OpenSSL also takes BER (e.g. a non-minimal outer length), which
  // the chain's Go parser refuses, and then the bytes received and the bytes hashed as the certificate
  // differ.
  const int n = i2d_X509(cert.get(), nullptr);
  Bytes again(n > 0 ? static_cast<std::size_t>(n) : 0);
  unsigned char* out = again.data();
  if (n <= 0 || i2d_X509(cert.get(), &out) != n ||
      !std::equal(again.begin(), again.end(), der.begin(), der.end()))
    return cert_error("not DER: the certificate's " + std::to_string(der.size()) +
                      " bytes are a non-canonical (BER) encoding");
  return cert;
}

Result<std::vector<X509Ptr>> parse_certs_pem(std::string_view pem) {
  const auto len = ossl_int(pem.size());
  if (!len)
    return make_error("attest", "CERT_INVALID", "a PEM bundle of " + std::to_string(pem.size()) + " bytes",
                      ErrorKind::kInput);
  BioPtr bio(BIO_new_mem_buf(pem.data(), *len));
  if (!bio)
    return make_error("attest", "OPENSSL_FAILURE", "BIO_new_mem_buf failed");
  std::vector<X509Ptr> out;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
      break;
    out.push_back(std::move(cert));
  }
  if (out.empty())
    return cert_error("no PEM CERTIFICATE block could be parsed");
  return out;
}

Result<std::vector<X509Ptr>> parse_certs_any(std::span<const std::uint8_t> bytes) {
  if (!bytes.empty() && bytes[0] == 0x30) {
    auto cert = parse_cert_der(bytes);
    if (!cert)
      return cert.error();
    std::vector<X509Ptr> out;
    out.push_back(std::move(*cert));
    return out;
  }
  return parse_certs_pem(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Bytes cert_der(const X509& cert) {
  const int len = i2d_X509(&cert, nullptr);
  if (len <= 0)
    return {};
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_X509(&cert, &p);
  return out;
}

std::array<std::uint8_t, 32> cert_sha256(const X509& cert) {
  const Bytes der = cert_der(cert);
  std::array<std::uint8_t, 32> out{};
  SHA256(der.data(), der.size(), out.data());
  return out;
}

std::string subject_cn(const X509& cert) {
  return name_cn(X509_get_subject_name(&cert));
}
std::string issuer_cn(const X509& cert) {
  return name_cn(X509_get_issuer_name(&cert));
}

bool has_amd_pss_signature(const X509& cert) {
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(nullptr, &alg, &cert);
  if (alg == nullptr)
    return false;
  const ASN1_OBJECT* obj = nullptr;
  int ptype = 0;
  const void* pval = nullptr;
  X509_ALGOR_get0(&obj, &ptype, &pval, alg);
  if (OBJ_obj2nid(obj) != NID_rsassaPss || ptype != V_ASN1_SEQUENCE)
    return false;
  const auto* seq = static_cast<const ASN1_STRING*>(pval);
  const unsigned char* p = ASN1_STRING_get0_data(seq);
  PssParamsPtr params(d2i_RSA_PSS_PARAMS(nullptr, &p, ASN1_STRING_length(seq)));
  if (!params || !is_sha384(params->hashAlgorithm))
    return false;
  // MGF1 with SHA-384: the mask algorithm's parameter is the hash's AlgorithmIdentifier.
  if (params->maskGenAlgorithm == nullptr || OBJ_obj2nid(params->maskGenAlgorithm->algorithm) != NID_mgf1)
    return false;
  const ASN1_TYPE* mgf_param = params->maskGenAlgorithm->parameter;
  if (mgf_param == nullptr || mgf_param->type != V_ASN1_SEQUENCE)
    return false;
  const unsigned char* mp = mgf_param->value.sequence->data;
  AlgorPtr mgf_hash(d2i_X509_ALGOR(nullptr, &mp, mgf_param->value.sequence->length));
  if (!mgf_hash || !is_sha384(mgf_hash.get()))
    return false;
  std::int64_t salt = 20;  // DEFAULT when absent
  if (params->saltLength != nullptr && ASN1_INTEGER_get_int64(&salt, params->saltLength) != 1)
    return false;
  std::int64_t trailer = 1;
  if (params->trailerField != nullptr && ASN1_INTEGER_get_int64(&trailer, params->trailerField) != 1)
    return false;
  return salt == 48 && trailer == 1;
}

bool signed_by(const X509& cert, EVP_PKEY* issuer_key) {
  // X509_verify takes a non-const X509 in its prototype but does not modify it.
  return issuer_key != nullptr && X509_verify(const_cast<X509*>(&cert), issuer_key) == 1;
}

int validity_at(const X509& cert, std::time_t at) {
  const ASN1_TIME* nb = X509_get0_notBefore(&cert);
  const ASN1_TIME* na = X509_get0_notAfter(&cert);
  if (nb == nullptr || na == nullptr)
    return 1;
  const int before = X509_cmp_time(nb, &at);  // -1: nb < at (good); 0: error
  const int after = X509_cmp_time(na, &at);   // 1: na > at (good)
  if (before == 0 || after == 0)
    return 1;
  if (before > 0)
    return -1;
  if (after < 0)
    return 1;
  return 0;
}

std::string describe_validity(const X509& cert) {
  return format_time(X509_get0_notBefore(&cert)) + " to " + format_time(X509_get0_notAfter(&cert));
}

Result<VekExtensions> parse_vek_extensions(const X509& cert) {
  static constexpr std::string_view kArc = "1.3.6.1.4.1.3704.1.";
  VekExtensions ext;
  bool seen[16] = {};
  const int count = X509_get_ext_count(&cert);
  for (int i = 0; i < count; ++i) {
    X509_EXTENSION* e = X509_get_ext(&cert, i);
    char oid_buf[80];
    if (OBJ_obj2txt(oid_buf, sizeof oid_buf, X509_EXTENSION_get_object(e), 1) <= 0)
      return cert_error("unreadable extension OID");
    const std::string_view oid(oid_buf);
    if (oid.substr(0, kArc.size()) != kArc)
      continue;  // non-KDS extensions (e.g. AKI on a look-alike) are not ours to judge
    const std::string_view tail = oid.substr(kArc.size());
    static constexpr std::string_view kNames[] = {"1",   "2",   "3.1", "3.2", "3.3", "3.4", "3.5",
                                                  "3.6", "3.7", "3.8", "3.9", "4",   "5"};
    std::size_t idx = 0;
    while (idx < std::size(kNames) && kNames[idx] != tail)
      ++idx;
    if (idx == std::size(kNames))
      return cert_error("unknown AMD KDS extension " + std::string(oid));
    if (seen[idx])
      return cert_error("duplicate extension " + std::string(oid));
    seen[idx] = true;
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(e);
    if (idx == 0) {
      auto v = read_spl(data);
      if (!v)
        return cert_error("structVersion is not a small INTEGER");
      ext.struct_version = *v;
    } else if (idx == 1 || idx == 12) {
      auto s = read_ia5(data);
      if (!s)
        return cert_error(std::string(idx == 1 ? "productName" : "csp_id") + " is not an IA5String");
      if (idx == 1)
        ext.product_name = *s;
      else
        ext.csp_id = *s;
    } else if (idx == 11) {
      const unsigned char* p = ASN1_STRING_get0_data(data);
      std::size_t len = static_cast<std::size_t>(ASN1_STRING_length(data));
      // Raw bytes as AMD issues them; an OCTET STRING wrapper is accepted as well.
      if ((len == 66 && p[0] == 0x04 && p[1] == 64) || (len == 10 && p[0] == 0x04 && p[1] == 8)) {
        p += 2;
        len -= 2;
      }
      if (len != 64 && len != 8)
        return cert_error("hwID must be 64 or 8 bytes, got " + std::to_string(len));
      ext.hw_id = Bytes(p, p + len);
    } else {
      auto v = read_spl(data);
      if (!v)
        return cert_error("SPL extension " + std::string(oid) + " is not an INTEGER in 0..255");
      std::optional<std::uint8_t>* slots[] = {&ext.bl,   &ext.tee,  &ext.snp,   &ext.spl4, &ext.spl5,
                                              &ext.spl6, &ext.spl7, &ext.ucode, &ext.fmc};
      *slots[idx - 2] = *v;
    }
  }
  if (ext.struct_version < 0 || ext.product_name.empty() || !ext.bl || !ext.tee || !ext.snp || !ext.ucode)
    return cert_error("VCEK/VLEK lacks structVersion, productName or one of blSPL/teeSPL/snpSPL/ucodeSPL");
  return ext;
}

std::uint64_t vek_tcb(const VekExtensions& e) {
  auto b = [](const std::optional<std::uint8_t>& v, int index) {
    return static_cast<std::uint64_t>(v.value_or(0)) << (8 * index);
  };
  if (e.struct_version == 1)
    return b(e.fmc, 0) | b(e.bl, 1) | b(e.tee, 2) | b(e.snp, 3) | b(e.spl5, 4) | b(e.spl6, 5) | b(e.spl7, 6) |
           b(e.ucode, 7);
  return b(e.bl, 0) | b(e.tee, 1) | b(e.spl4, 2) | b(e.spl5, 3) | b(e.spl6, 4) | b(e.spl7, 5) | b(e.snp, 6) |
         b(e.ucode, 7);
}

Result<X509CrlPtr> parse_crl(std::span<const std::uint8_t> bytes) {
  X509CrlPtr crl;
  if (!bytes.empty() && bytes[0] == 0x30) {
    const unsigned char* p = bytes.data();
    crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
    if (crl && p != bytes.data() + bytes.size())
      return make_error("attest", "CRL_INVALID", "trailing bytes after the DER CRL", ErrorKind::kRejected);
  } else {
    const auto len = ossl_int(bytes.size());
    BioPtr bio(len ? BIO_new_mem_buf(bytes.data(), *len) : nullptr);
    if (bio)
      crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  }
  if (!crl)
    return make_error("attest", "CRL_INVALID",
                      "not a DER or PEM X.509 CRL (" + std::to_string(bytes.size()) + " bytes)",
                      ErrorKind::kRejected);
  return crl;
}

namespace {

// One DER element at `p` (tag, then a definite length of at most 4 bytes): its whole size and where its
// contents start, or nullopt.
struct Tlv {
  std::size_t header = 0;
  std::size_t size = 0;  // header + contents
};
std::optional<Tlv> read_tlv(std::span<const std::uint8_t> p) {
  if (p.size() < 2)
    return std::nullopt;
  std::size_t len = p[1];
  std::size_t header = 2;
  if (len & 0x80) {
    const std::size_t n = len & 0x7f;
    if (n == 0 || n > 4 || p.size() < 2 + n)
      return std::nullopt;
    len = 0;
    for (std::size_t i = 0; i < n; ++i)
      len = (len << 8) | p[2 + i];
    header += n;
  }
  if (p.size() - header < len)
    return std::nullopt;
  return Tlv{header, header + len};
}

// Whether the CRL's outer signatureAlgorithm is byte-identical to the one its TBS carries: the CRL is
// re-encoded (OpenSSL keeps the TBS bytes as received) and both AlgorithmIdentifiers are compared.
bool crl_algorithms_agree(const X509_CRL& crl) {
  unsigned char* der = nullptr;
  const int n = i2d_X509_CRL(const_cast<X509_CRL*>(&crl), &der);
  if (n <= 0)
    return false;
  const Bytes bytes(der, der + n);
  OPENSSL_free(der);
  std::span<const std::uint8_t> all(bytes);
  const auto outer = read_tlv(all);
  if (!outer)
    return false;
  std::span<const std::uint8_t> body = all.subspan(outer->header, outer->size - outer->header);
  const auto tbs = read_tlv(body);
  if (!tbs)
    return false;
  std::span<const std::uint8_t> tbs_body = body.subspan(tbs->header, tbs->size - tbs->header);
  auto first = read_tlv(tbs_body);
  if (first && tbs_body[0] == 0x02) {  // version INTEGER, then the signature AlgorithmIdentifier
    tbs_body = tbs_body.subspan(first->size);
    first = read_tlv(tbs_body);
  }
  std::span<const std::uint8_t> after_tbs = body.subspan(tbs->size);
  const auto second = read_tlv(after_tbs);
  if (!first || !second)
    return false;
  const auto inner_alg = tbs_body.first(first->size);
  const auto outer_alg = after_tbs.first(second->size);
  return std::equal(inner_alg.begin(), inner_alg.end(), outer_alg.begin(), outer_alg.end());
}

}  // namespace

bool crl_signed_by(const X509_CRL& crl, EVP_PKEY* issuer_key) {
  // X509_CRL_verify checks the signature over the TBS only; the outer signatureAlgorithm must also equal
  // the one inside the TBS (RFC 5280 5.1.1.2; X509_verify and Go's parser check it, OpenSSL's CRL path not).
  if (!crl_algorithms_agree(crl))
    return false;
  return issuer_key != nullptr && X509_CRL_verify(const_cast<X509_CRL*>(&crl), issuer_key) == 1;
}

bool crl_lists(const X509_CRL& crl, const X509& cert) {
  X509_REVOKED* entry = nullptr;
  return X509_CRL_get0_by_serial(const_cast<X509_CRL*>(&crl), &entry,
                                 const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(&cert))) == 1;
}

bool crl_expired_at(const X509_CRL& crl, std::time_t at) {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(&crl);
  if (next == nullptr)
    return false;
  return X509_cmp_time(next, &at) <= 0;  // 0: unreadable; -1: before `at`
}

std::string crl_this_update(const X509_CRL& crl) {
  return format_time(X509_CRL_get0_lastUpdate(&crl));
}

std::string crl_next_update(const X509_CRL& crl) {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(&crl);
  return next == nullptr ? std::string() : format_time(next);
}

}  // namespace snprelay::attest
