// VEK chain construction against the pinned roots, with the verified-chain cache.
#include "attest/chain.hpp"

#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "attest/amd_roots.hpp"

namespace snprelay::attest {
namespace {

constexpr std::size_t kCacheLimit = 4096;

Failure untrusted(std::string message) {
  return Failure{FailureCode::kChainUntrusted, std::move(message)};
}

X509Ptr up_ref(const X509* cert) {
  X509_up_ref(const_cast<X509*>(cert));
  return X509Ptr(const_cast<X509*>(cert));
}

bool is_p384(EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
    return false;
  char group[32] = {};
  std::size_t len = 0;
  return EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 &&
         std::string_view(group) == "secp384r1";
}

// "SEV-Milan" / "SEV-VLEK-Milan" / "ARK-Milan" -> Milan.
Product product_of_cn(const std::string& cn) {
  const auto dash = cn.rfind('-');
  if (dash == std::string::npos)
    return Product::kUnknown;
  return parse_product(std::string_view(cn).substr(dash + 1)).value_or(Product::kUnknown);
}

bool same_name(const X509_NAME* a, const X509_NAME* b) {
  return X509_NAME_cmp(a, b) == 0;
}

// AMD's KDS names every VEK subject OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro
// Devices (each exactly once), as go-sev-guest requires on chain; returns the first deviation.
std::string amd_location_problem(const X509& cert) {
  static const std::pair<int, const char*> kFields[] = {{NID_countryName, "US"},
                                                        {NID_localityName, "Santa Clara"},
                                                        {NID_stateOrProvinceName, "CA"},
                                                        {NID_organizationName, "Advanced Micro Devices"},
                                                        {NID_organizationalUnitName, "Engineering"}};
  const X509_NAME* name = X509_get_subject_name(&cert);
  for (const auto& [nid, want] : kFields) {
    int count = 0;
    std::string value;
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, nid, i)) {
      ++count;
      const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
      value.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                   static_cast<std::size_t>(ASN1_STRING_length(data)));
    }
    if (count != 1 || value != want) {
      return std::string("VEK subject ") + OBJ_nid2sn(nid) + " is '" + value + "' (" + std::to_string(count) +
             " entries), expected exactly '" + want + "'";
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<ChainVerifier>> ChainVerifier::create(TrustConfig trust) {
  auto v = std::make_unique<ChainVerifier>();
  const PinnedRoots& pinned = amd_pinned_roots();
  for (const auto& ark : pinned.arks)
    v->anchors_.push_back(Anchor{ark.cert.get(), ark.product});
  for (const auto& inter : pinned.intermediates)
    v->pinned_intermediates_.push_back(Anchor{inter.cert.get(), inter.product});
  for (auto& root : trust.extra_roots) {
    if (!root || !signed_by(*root, X509_get0_pubkey(root.get())) ||
        !same_name(X509_get_subject_name(root.get()), X509_get_issuer_name(root.get()))) {
      return make_error(
          "attest", "TRUST_ROOT_INVALID",
          "extra trust root '" + (root ? subject_cn(*root) : std::string()) + "' is not self-signed",
          ErrorKind::kInput);
    }
    v->anchors_.push_back(Anchor{root.get(), product_of_cn(subject_cn(*root))});
    v->extra_roots_.push_back(std::move(root));
  }
  v->crls_ = std::move(trust.crls);
  return v;
}

void ChainVerifier::clear_cache() const {
  const std::lock_guard lock(mu_);
  cache_.clear();
}

ChainOutcome ChainVerifier::check(std::span<const std::uint8_t> vek_der, std::time_t at, bool use_cache,
                                  std::span<const X509* const> intermediates) const {
  std::array<std::uint8_t, 32> key{};
  if (use_cache) {
    SHA256(vek_der.data(), vek_der.size(), key.data());
    std::shared_ptr<const VerifiedChain> hit;
    {
      const std::lock_guard lock(mu_);
      if (auto it = cache_.find(key); it != cache_.end())
        hit = it->second;
    }
    if (hit) {
      ChainOutcome out;
      out.chain = std::move(hit);
      out.from_cache = true;
      check_times_and_crls(*out.chain, at, out.failures);
      return out;
    }
  }
  ChainOutcome out = build(vek_der, intermediates);
  if (out.chain) {
    if (use_cache) {
      const std::lock_guard lock(mu_);
      if (cache_.size() >= kCacheLimit)
        cache_.clear();
      cache_.emplace(key, out.chain);
    }
    check_times_and_crls(*out.chain, at, out.failures);
  }
  return out;
}

ChainOutcome ChainVerifier::build(std::span<const std::uint8_t> vek_der,
                                  std::span<const X509* const> intermediates) const {
  ChainOutcome out;
  auto parsed = parse_cert_der(vek_der);
  if (!parsed) {
    out.failures.push_back(untrusted("VCEK/VLEK: " + parsed.error().message));
    return out;
  }
  X509Ptr vek = std::move(*parsed);
  EVP_PKEY* vek_key = X509_get0_pubkey(vek.get());
  const std::string cn = subject_cn(*vek);
  std::vector<Failure> problems;
  if (cn != "SEV-VCEK" && cn != "SEV-VLEK")
    problems.push_back(untrusted("VEK subject CN is '" + cn + "', expected SEV-VCEK or SEV-VLEK"));
  if (const std::string loc = amd_location_problem(*vek); !loc.empty())
    problems.push_back(untrusted(loc));
  if (X509_get_version(vek.get()) != X509_VERSION_3)
    problems.push_back(untrusted("VEK is not an X.509 v3 certificate"));
  if (!is_p384(vek_key))
    problems.push_back(untrusted("VEK key is not ECDSA P-384"));
  if (!has_amd_pss_signature(*vek))
    problems.push_back(untrusted("VEK signature algorithm is not RSASSA-PSS SHA-384/MGF1-SHA-384/salt 48"));
  auto ext = parse_vek_extensions(*vek);
  if (!ext)
    problems.push_back(untrusted("VEK extensions: " + ext.error().message));
  const bool vlek = cn == "SEV-VLEK";

  // Find an intermediate (pinned first, then caller-supplied) named as the VEK's issuer whose key
  // verifies the VEK, and a trusted ARK that signed that intermediate.
  std::vector<const X509*> candidates;
  for (const auto& a : pinned_intermediates_)
    candidates.push_back(a.cert);
  for (const X509* c : intermediates) {
    if (c != nullptr)
      candidates.push_back(c);
  }
  const X509* found_inter = nullptr;
  const X509* found_ark = nullptr;
  bool issuer_seen = false;
  for (const X509* inter : candidates) {
    if (!same_name(X509_get_subject_name(inter), X509_get_issuer_name(vek.get())))
      continue;
    issuer_seen = true;
    if (!signed_by(*vek, X509_get0_pubkey(inter)))
      continue;
    if (!has_amd_pss_signature(*inter) || X509_check_ca(const_cast<X509*>(inter)) < 1)
      continue;
    for (const auto& anchor : anchors_) {
      if (same_name(X509_get_subject_name(anchor.cert), X509_get_issuer_name(inter)) &&
          signed_by(*inter, X509_get0_pubkey(anchor.cert))) {
        // The anchor's self-signature was verified when it was installed (amd_pinned_roots() for the
        // compiled-in ARKs, create() for extra roots), as any X.509 validator treats trust anchors.
        found_ark = anchor.cert;
        break;
      }
    }
    if (found_ark != nullptr) {
      found_inter = inter;
      break;
    }
  }
  if (found_inter == nullptr) {
    problems.push_back(untrusted(issuer_seen
                                     ? "VEK issuer '" + issuer_cn(*vek) +
                                           "' does not chain to a trusted ARK (signature mismatch)"
                                     : "no known ASK/ASVK named '" + issuer_cn(*vek) +
                                           "' (only compiled-in AMD roots and --trust-root are trusted)"));
  }
  if (!problems.empty()) {
    out.failures = std::move(problems);
    out.untrusted_vek = std::move(vek);
    return out;
  }
  auto chain = std::make_shared<VerifiedChain>();
  const std::string inter_cn = subject_cn(*found_inter);
  chain->product = product_of_cn(inter_cn);
  chain->vlek = inter_cn.find("VLEK") != std::string::npos;
  if (chain->vlek != vlek) {
    out.failures.push_back(untrusted("VEK '" + cn + "' is signed by '" + inter_cn + "'"));
    out.untrusted_vek = std::move(vek);
    return out;
  }
  const std::string ark_cn = subject_cn(*found_ark);
  if (product_of_cn(ark_cn) != chain->product) {
    out.failures.push_back(Failure{FailureCode::kProductMismatch,
                                   "intermediate '" + inter_cn + "' is signed by root '" + ark_cn + "'"});
  }
  chain->ext = std::move(*ext);
  chain->vek = std::move(vek);
  chain->intermediate = up_ref(found_inter);
  chain->ark = up_ref(found_ark);
  out.chain = std::move(chain);
  return out;
}

namespace {
// The CRL's issuer as one line (RFC 2253), for messages.
std::string crl_issuer_text(const X509_CRL& crl) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_CRL_get_issuer(&crl), 0, XN_FLAG_RFC2253) < 0)
    return "?";
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string("?");
}
}  // namespace

void ChainVerifier::check_times_and_crls(const VerifiedChain& chain, std::time_t at,
                                         std::vector<Failure>& out) const {
  const std::pair<const char*, const X509*> certs[] = {
      {"VEK", chain.vek.get()}, {"ASK/ASVK", chain.intermediate.get()}, {"ARK", chain.ark.get()}};
  for (const auto& [what, cert] : certs) {
    const int v = validity_at(*cert, at);
    if (v != 0) {
      out.push_back(Failure{FailureCode::kCertNotValidAtTime,
                            std::string(what) + " '" + subject_cn(*cert) + "' is " +
                                (v < 0 ? "not yet valid" : "expired") + " at the verification time (valid " +
                                describe_validity(*cert) + ")"});
    }
  }
  for (const auto& crl : crls_) {
    // A CRL the caller gave is for this chain's ARK, or the chain is untrusted: a CRL skipped because
    // it named someone else would let a stale or wrong file look like a revocation check.
    if (!same_name(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(chain.ark.get()))) {
      out.push_back(untrusted("the CRL given was issued by '" + crl_issuer_text(*crl) +
                              "', not by this chain's ARK '" + subject_cn(*chain.ark) +
                              "'; refusing to skip it"));
      continue;
    }
    if (!crl_signed_by(*crl, X509_get0_pubkey(chain.ark.get()))) {
      out.push_back(
          untrusted("CRL issued by '" + subject_cn(*chain.ark) + "' does not verify with that ARK"));
      continue;
    }
    if (crl_lists(*crl, *chain.intermediate)) {
      // Built by appending: GCC 12 at -O3 reports a false -Wrestrict for `"'" + std::string&&`.
      std::string message = "ASK/ASVK '";
      message += subject_cn(*chain.intermediate);
      message += "' is listed on the CRL of '";
      message += subject_cn(*chain.ark);
      message += "'";
      out.push_back(Failure{FailureCode::kCertRevoked, std::move(message)});
    }
  }
}

}  // namespace snprelay::attest
