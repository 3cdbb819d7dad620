// The C++ half of the differential-agreement test (tests/data/agreement/README.md): every case of
// cases.json is mapped onto attest::VerifyOptions exactly as the README describes, verified by
// attest::Verifier, and its FIRST failure must be the expected code (or no failure for ACCEPT). The
// Go half (onchain/x/snpattest/verify/agreement_test.go) reads the same table and asserts the same.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "attest/certs.hpp"
#include "attest/verify.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {
namespace {

using nlohmann::json;

const std::string kDir = std::string(SNPRELAY_TEST_DATA) + "/agreement";

json load_cases() {
  std::ifstream f(kDir + "/cases.json");
  EXPECT_TRUE(f.good()) << kDir + "/cases.json";
  return json::parse(f);
}

Bytes data_file(const std::string& rel) {
  auto b = read_file(kDir + "/" + rel);
  EXPECT_TRUE(b.ok()) << rel;
  return b.ok() ? *b : Bytes{};
}

std::time_t parse_time(const std::string& rfc3339) {
  std::tm tm{};
  EXPECT_NE(strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm), nullptr) << rfc3339;
  return timegm(&tm);
}

template <std::size_t N>
ByteArray<N> fixed(const std::string& hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.ok() && b->size() == N) << hex;
  ByteArray<N> out{};
  if (b.ok() && b->size() == N)
    std::copy(b->begin(), b->end(), out.begin());
  return out;
}

struct Mapped {
  VerifyOptions options;
  TrustConfig trust;
  std::vector<X509Ptr> intermediates;
};

// The mapping of README.md "How each side reads a case".
Mapped map_case(const json& doc, const json& c, const Bytes& report) {
  Mapped m;
  json params = doc["base_params"];
  if (c.contains("params"))
    params.update(c["params"]);
  VerifyOptions& o = m.options;
  o.use_chain_cache = false;
  o.at = parse_time(c["time"].get<std::string>());
  o.accepted_versions = params["allowed_report_versions"].get<std::vector<std::uint32_t>>();
  o.vmpls = params["allowed_vmpls"].get<std::vector<std::uint32_t>>();
  EXPECT_FALSE(o.vmpls.empty()) << "an empty allowed_vmpls means 0..3 in C++ but nothing on chain";
  o.guest_policy.allow_smt = params["allow_smt"].get<bool>();
  o.guest_policy.allow_debug = params["allow_debug"].get<bool>();
  o.allow_vlek = params["allow_vlek"].get<bool>();
  const auto products = params["allowed_products"].get<std::vector<std::string>>();
  if (products.size() == 1) {
    o.product = parse_product(products[0]);
  } else {
    EXPECT_EQ(products.size(), 3u) << "C++ can force one product or none";
  }
  const std::string rd = c["expected_report_data"].get<std::string>();
  if (rd == "report") {
    ByteArray<64> own{};
    if (report.size() >= 0x90)
      std::copy(report.begin() + 0x50, report.begin() + 0x90, own.begin());
    o.report_data = own;
  } else {
    o.report_data = fixed<64>(rd);
  }
  ByteArray<48> reported{};
  if (report.size() >= 0xC0)
    std::copy(report.begin() + 0x90, report.begin() + 0xC0, reported.begin());
  const std::int64_t height = c.value("height", doc["default_height"].get<std::int64_t>());
  bool any_entry = false;
  for (const auto& e : c["allowlist"]) {
    const std::int64_t expiry = e.value("expiry_height", std::int64_t{0});
    if (expiry != 0 && height >= expiry)
      continue;  // an expired entry allowlists nothing
    const std::string mh = e["measurement"].get<std::string>();
    const ByteArray<48> meas = mh == "report" ? reported : fixed<48>(mh);
    o.measurements.push_back(meas);
    any_entry = true;
    if (meas != reported)
      continue;
    o.minimum_guest_svn = e.value("min_guest_svn", 0u);
    o.policy_mask = e.value("policy_mask", std::uint64_t{0});
    o.policy_value = e.value("policy_value", std::uint64_t{0});
    if (e.contains("host_data"))
      o.host_data = fixed<32>(e["host_data"].get<std::string>());
    if (e.contains("image_id"))
      o.image_id = fixed<16>(e["image_id"].get<std::string>());
    if (e.contains("family_id"))
      o.family_id = fixed<16>(e["family_id"].get<std::string>());
  }
  if (!any_entry)
    o.measurements.push_back(ByteArray<48>{});  // empty allowlist: nothing is allowed (an all-zero sentinel)
  if (c["roots"] == "simulated") {
    const std::string state = c["sim_state"].get<std::string>();
    auto ark =
        parse_certs_pem(std::string(reinterpret_cast<const char*>(data_file(state + "/ark.pem").data()),
                                    data_file(state + "/ark.pem").size()));
    auto ask =
        parse_certs_pem(std::string(reinterpret_cast<const char*>(data_file(state + "/ask.pem").data()),
                                    data_file(state + "/ask.pem").size()));
    EXPECT_TRUE(ark.ok() && ask.ok()) << state;
    if (ark.ok() && ask.ok()) {
      m.trust.extra_roots.push_back(std::move((*ark)[0]));
      m.intermediates.push_back(std::move((*ask)[0]));
    }
  } else {
    EXPECT_EQ(c["roots"], "amd");
  }
  // min_tcb: the entry for the product of the VEK's issuer ("SEV-Milan" -> Milan), as the chain
  // applies the minimum of the product its chain proves.
  if (c.contains("min_tcb")) {
    auto vek = parse_cert_der(data_file(c["vcek"].get<std::string>()));
    const std::string issuer = vek.ok() ? issuer_cn(**vek) : std::string();
    const std::string product = issuer.substr(issuer.rfind('-') + 1);
    for (const auto& t : c["min_tcb"]) {
      if (t["product"] != product)
        continue;
      MinTcb min;
      min.bootloader = t["boot_loader"].get<std::uint8_t>();
      min.tee = t["tee"].get<std::uint8_t>();
      min.snp = t["snp"].get<std::uint8_t>();
      min.microcode = t["microcode"].get<std::uint8_t>();
      min.fmc = t["fmc"].get<std::uint8_t>();
      o.minimum_tcb = min;
    }
  }
  return m;
}

std::string describe(const Verdict& v) {
  std::string out;
  for (const auto& f : v.failures)
    out += "  " + std::string(failure_code_name(f.code)) + ": " + f.message + "\n";
  return out.empty() ? "  (accepted)\n" : out;
}

TEST(AgreementCorpus, EveryCaseGivesItsExpectedFirstFailure) {
  const json doc = load_cases();
  ASSERT_GE(doc["cases"].size(), 50u);
  int checked = 0;
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"].get<std::string>();
    SCOPED_TRACE(name);
    const Bytes report = data_file(c["report"].get<std::string>());
    const Bytes vcek = data_file(c["vcek"].get<std::string>());
    Mapped m = map_case(doc, c, report);
    auto verifier = Verifier::create(std::move(m.trust));
    ASSERT_TRUE(verifier.ok()) << verifier.error().message;
    std::vector<const X509*> inter;
    for (const auto& x : m.intermediates)
      inter.push_back(x.get());
    const Verdict v = verifier->verify(report, vcek, m.options, inter);
    const std::string expected = c["expected"].get<std::string>();
    const std::string got = v.accepted() ? "ACCEPT" : std::string(failure_code_name(v.failures[0].code));
    EXPECT_EQ(got, expected) << name << " (" << c["why"].get<std::string>() << ")\n" << describe(v);
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(doc["cases"].size()));
}

// The corpus exercises every code a report and a VCEK can produce on their own (CERT_REVOKED needs a
// CRL, which the chain does not take: revocation is a governance matter there).
TEST(AgreementCorpus, CoversEveryFailureCodeButRevocation) {
  const json doc = load_cases();
  std::set<std::string> seen;
  for (const auto& c : doc["cases"])
    seen.insert(c["expected"].get<std::string>());
  EXPECT_TRUE(seen.contains("ACCEPT"));
  for (const FailureCode code : all_failure_codes()) {
    const std::string name(failure_code_name(code));
    if (name == "CERT_REVOKED")
      continue;
    EXPECT_TRUE(seen.contains(name)) << name << " has no case";
  }
}

}  // namespace
}  // namespace snprelay::attest
