// The relayer's self-check against the agreement corpus (tests/data/agreement/README.md): each case's
// params, allowlist, minimum TCB and binding go into app::ChainParams, an allowlist::Index and
// app::self_check unchanged — no per-case mapping of options — and the first failure must be the
// code the chain (the Go half of the corpus) answers. This is what "a report the chain would reject is
// never broadcast" rests on.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "attest/certs.hpp"
#include "common/hex.hpp"
#include "relayer/app/self_check.hpp"

namespace snprelay::app {
namespace {

using nlohmann::json;

const std::string kDir = std::string(SNPRELAY_TEST_DATA) + "/agreement";

Bytes corpus_file(const std::string& rel) {
  auto b = read_file(kDir + "/" + rel);
  EXPECT_TRUE(b.ok()) << rel;
  return b.ok() ? *b : Bytes{};
}

Bytes hex_bytes(const std::string& hex) {
  auto b = from_hex(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : Bytes{};
}

std::time_t at_time(const std::string& rfc3339) {
  std::tm tm{};
  EXPECT_NE(strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm), nullptr) << rfc3339;
  return timegm(&tm);
}

ChainParams params_of(const json& doc, const json& c) {
  json p = doc["base_params"];
  if (c.contains("params"))
    p.update(c["params"]);
  p["epoch_blocks"] = 10;  // not in the corpus; parse_chain_params requires it
  if (c["roots"] == "simulated") {
    const std::string state = c["sim_state"].get<std::string>();
    json roots = json::array();
    for (const char* name : {"/ark.pem", "/ask.pem"}) {
      const Bytes pem = corpus_file(state + name);
      auto certs = attest::parse_certs_pem(std::string(pem.begin(), pem.end()));
      EXPECT_TRUE(certs.ok() && !certs->empty()) << state << name;
      if (certs.ok() && !certs->empty())
        roots.push_back(to_hex(attest::cert_der(*(*certs)[0])));
    }
    p["simulated_roots"] = roots;
  }
  auto parsed = parse_chain_params(p.dump());
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().to_string());
  return parsed.ok() ? *parsed : ChainParams{};
}

allowlist::Index index_of(const json& c, const Bytes& report) {
  allowlist::Update u;
  u.version = 1;
  for (const auto& e : c["allowlist"]) {
    allowlist::Entry entry;
    const std::string m = e["measurement"].get<std::string>();
    entry.measurement = m == "report" && report.size() >= 0xC0
                            ? Bytes(report.begin() + 0x90, report.begin() + 0xC0)
                            : hex_bytes(m);
    entry.min_guest_svn = e.value("min_guest_svn", 0u);
    entry.policy_mask = e.value("policy_mask", std::uint64_t{0});
    entry.policy_value = e.value("policy_value", std::uint64_t{0});
    entry.expiry_height = e.value("expiry_height", std::int64_t{0});
    for (const auto& [key, field] :
         {std::pair{"host_data", &entry.host_data}, std::pair{"image_id", &entry.image_id},
          std::pair{"family_id", &entry.family_id}}) {
      if (e.contains(key))
        *field = hex_bytes(e[key].get<std::string>());
    }
    u.add.push_back(std::move(entry));
  }
  if (c.contains("min_tcb")) {
    for (const auto& t : c["min_tcb"]) {
      u.min_tcb.push_back({t["product"].get<std::string>(), t["boot_loader"].get<std::uint32_t>(),
                           t["tee"].get<std::uint32_t>(), t["snp"].get<std::uint32_t>(),
                           t["microcode"].get<std::uint32_t>(), t["fmc"].get<std::uint32_t>()});
    }
  }
  allowlist::Index index;
  index.apply(u);
  return index;
}

TEST(SelfCheckAgreement, EveryCaseGivesTheChainsFirstFailure) {
  std::ifstream f(kDir + "/cases.json");
  ASSERT_TRUE(f.good());
  const json doc = json::parse(f);
  int checked = 0;
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"].get<std::string>();
    SCOPED_TRACE(name);
    const Bytes report = corpus_file(c["report"].get<std::string>());
    const Bytes vcek = corpus_file(c["vcek"].get<std::string>());
    const ChainParams params = params_of(doc, c);
    const allowlist::Index index = index_of(c, report);

    auto trust = self_check_trust(params, config::HardwareMode::kSimulate);
    ASSERT_TRUE(trust.ok()) << trust.error().to_string();
    std::vector<const X509*> inter;
    for (const auto& x : trust->intermediates)
      inter.push_back(x.get());
    auto verifier = attest::Verifier::create(std::move(trust->trust));
    ASSERT_TRUE(verifier.ok());

    SelfCheckRequest r;
    r.report = report;
    r.vcek_der = vcek;
    const std::string rd = c["expected_report_data"].get<std::string>();
    const Bytes binding = rd == "report" && report.size() >= 0x90
                              ? Bytes(report.begin() + 0x50, report.begin() + 0x90)
                              : hex_bytes(rd);
    if (binding.size() == r.report_data.size())
      std::copy(binding.begin(), binding.end(), r.report_data.begin());
    r.height = c.value("height", doc["default_height"].get<std::int64_t>());
    r.at = at_time(c["time"].get<std::string>());

    const SelfCheckResult got = self_check(*verifier, inter, params, index, r);
    const std::string expected = c["expected"].get<std::string>();
    std::string all;
    for (const auto& failure : got.failures)
      all += "  " + std::string(attest::failure_code_name(failure.code)) + ": " + failure.message + "\n";
    EXPECT_EQ(got.passed() ? "ACCEPT" : got.first_code(), expected) << c["why"].get<std::string>() << "\n"
                                                                    << all;
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

}  // namespace
}  // namespace snprelay::app
