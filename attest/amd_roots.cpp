// Loading and self-checking the compiled-in AMD certificates (amd_roots_pem.cpp holds the text).
#include "attest/amd_roots.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "attest/certs.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {
namespace {

// SHA-256 over the DER of each pinned certificate (docs/snp-report.md "Certificates and trust"). Checked at
// load time so that an edit of the PEM text cannot silently change the trust anchors.
struct Pin {
  std::string_view cn;
  std::string_view sha256_hex;
};
constexpr Pin kPins[] = {
    {"ARK-Milan", "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd"},
    {"SEV-Milan", "67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b"},
    {"SEV-VLEK-Milan", "c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5"},
    {"ARK-Genoa", "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1"},
    {"SEV-Genoa", "5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521"},
    {"SEV-VLEK-Genoa", "197e610743a917d6b9bb982a5a9226ccc0a15b611be0619e626aca9151457372"},
    {"ARK-Turin", "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a"},
    {"SEV-Turin", "5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185"},
    {"SEV-VLEK-Turin", "104e10a8bd060a3c20a434261a57d0588fd65a88915b4f65b08bdecaf8df1a3c"},
};

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "snprelay: compiled-in AMD roots are broken: %s\n", what.c_str());
  std::abort();
}

PinnedCert pin(X509Ptr cert) {
  PinnedCert p;
  p.sha256 = cert_sha256(*cert);
  const std::string cn = subject_cn(*cert);
  const std::string hex = to_hex(p.sha256);
  bool found = false;
  for (const auto& k : kPins) {
    if (k.cn == cn) {
      if (k.sha256_hex != hex)
        broken(cn + " fingerprint " + hex);
      found = true;
    }
  }
  if (!found)
    broken("unexpected certificate " + cn);
  const auto dash = cn.rfind('-');
  p.product = parse_product(cn.substr(dash + 1)).value_or(Product::kUnknown);
  p.vlek = cn.find("VLEK") != std::string::npos;
  p.cert = std::move(cert);
  return p;
}

PinnedRoots load() {
  PinnedRoots roots;
  for (const auto& bundle : amd_pem_bundles()) {
    auto certs = parse_certs_pem(bundle.pem);
    if (!certs || certs->size() != 2)
      broken(std::string(bundle.name) + " does not hold two certificates");
    PinnedCert ark = pin(std::move((*certs)[1]));
    PinnedCert inter = pin(std::move((*certs)[0]));
    if (!signed_by(*ark.cert, X509_get0_pubkey(ark.cert.get())) ||
        !signed_by(*inter.cert, X509_get0_pubkey(ark.cert.get())))
      broken(std::string(bundle.name) + " signatures do not verify");
    bool have_ark = false;
    for (const auto& a : roots.arks)
      have_ark = have_ark || a.sha256 == ark.sha256;
    if (!have_ark)
      roots.arks.push_back(std::move(ark));
    roots.intermediates.push_back(std::move(inter));
  }
  return roots;
}

}  // namespace

const PinnedRoots& amd_pinned_roots() {
  static const PinnedRoots roots = load();
  return roots;
}

}  // namespace snprelay::attest
