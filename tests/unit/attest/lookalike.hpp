// Test support: a look-alike AMD key hierarchy (same names, profile and extensions as AMD's, our own
// keys from tests/data/snp/lookalike/) to re-sign mutated reports, so that the checks behind the
// signature (TCB and chip binding, signer, version, policy, reserved bytes) can each be triggered.
// The certificates are minted by attest/sim/amd_cert_mint.hpp, the same code the simulated firmware
// uses; this file only fixes the keys and validity dates the tests rely on.
#pragma once

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "attest/certs.hpp"
#include "attest/ossl.hpp"
#include "attest/report.hpp"
#include "attest/sim/amd_cert_mint.hpp"
#include "common/hex.hpp"

namespace snprelay::testing {

using attest::der_integer;
using attest::EvpPkeyPtr;
using attest::X509CrlPtr;
using attest::X509Ptr;

template <typename T>
T must(Result<T> r) {
  if (!r.ok())
    std::abort();  // test set-up cannot continue
  return std::move(r).value();
}

inline EvpPkeyPtr load_key(const std::string& path) {
  return must(attest::parse_private_key_pem(must(read_file(path))));
}

// What the look-alike VCEK should carry.
struct VcekSpec : attest::VekSpec {
  std::string cn = "SEV-VCEK";
};

class LookAlike {
 public:
  // `product` names the chain ("Milan" -> ARK-Milan, SEV-Milan). Validity: 2020..2045 for ARK/ASK,
  // 2024..2031 for VCEKs.
  explicit LookAlike(const std::string& data_dir, const std::string& product = "Milan", bool vlek = false)
      : ark_key_(load_key(data_dir + "/snp/lookalike/ark_key.pem")),
        ask_key_(load_key(data_dir + "/snp/lookalike/ask_key.pem")),
        vcek_key_(load_key(data_dir + "/snp/lookalike/vcek_key.pem")) {
    ark_ = must(attest::mint_cert(
        {"ARK-" + product, nullptr, ark_key_.get(), ark_key_.get(), 0x10000, kT2020, kT2045, true, {}}));
    ask_ = must(attest::mint_cert({(vlek ? "SEV-VLEK-" : "SEV-") + product,
                                   ark_.get(),
                                   ark_key_.get(),
                                   ask_key_.get(),
                                   0x10001,
                                   kT2020,
                                   kT2045,
                                   true,
                                   {}}));
  }

  [[nodiscard]] X509Ptr vcek(const VcekSpec& s, std::time_t not_after = kT2031) const {
    return must(attest::mint_cert({s.cn, ask_.get(), ask_key_.get(), vcek_key_.get(), 0, kT2024, not_after,
                                   false, attest::vek_extensions(s)}));
  }

  // A CRL signed by the look-alike ARK that lists `revoked` (by serial), valid 2024..2045.
  [[nodiscard]] X509CrlPtr crl(const X509* revoked) const {
    std::vector<long> serials;
    if (revoked != nullptr)
      serials.push_back(ASN1_INTEGER_get(X509_get0_serialNumber(revoked)));
    return must(attest::mint_crl(*ark_, ark_key_.get(), serials, kT2024, kT2045));
  }

  // Re-signs `raw` (1184 bytes) in place with the look-alike VCEK key: R and S little-endian.
  void sign(Bytes& raw) const {
    if (!attest::sign_report(raw, vcek_key_.get()).ok())
      std::abort();
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
