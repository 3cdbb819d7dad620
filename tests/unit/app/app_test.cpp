// relayer/app without the binary: capped input files, strict parsers, escaping, error JSON, the
// binding, the simulated evidence source and protection-mode names.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "attest/report.hpp"
#include "relayer/app/binding.hpp"
#include "relayer/app/evidence.hpp"
#include "relayer/app/input.hpp"
#include "relayer/app/keys.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/app/report_json.hpp"
#include "relayer/app/text.hpp"
#include "relayer/app/verification.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::app {
namespace {

void write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

TEST(AppInput, ReportFileMustBe1184Bytes) {
  testing::TempDir dir;
  write(dir.file("short"), std::string(1183, '\0'));
  write(dir.file("exact"), std::string(attest::kReportSize, '\0'));
  auto bad = read_report_file(dir.file("short"), "--report");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "BAD_REPORT_SIZE");
  EXPECT_EQ(bad.error().kind, ErrorKind::kInput);
  EXPECT_TRUE(read_report_file(dir.file("exact"), "--report").ok());
}

TEST(AppParse, UnsignedIsStrict) {
  struct Case {
    const char* text;
    std::uint64_t max;
    bool ok;
    std::uint64_t value;
  };
  const Case cases[] = {
      {"0", UINT64_MAX, true, 0},
      {"18446744073709551615", UINT64_MAX, true, UINT64_MAX},
      {"18446744073709551616", UINT64_MAX, false, 0},  // 2^64
      {"-1", UINT64_MAX, false, 0},
      {"+1", UINT64_MAX, false, 0},
      {"", UINT64_MAX, false, 0},
      {"0x", UINT64_MAX, false, 0},
      {"0xZZ", UINT64_MAX, false, 0},
      {"0x30000", UINT64_MAX, true, 0x30000},
      {"12 ", UINT64_MAX, false, 0},
      {"256", 255, false, 0},
      {"255", 255, true, 255},
  };
  for (const auto& c : cases) {
    auto r = parse_unsigned("--gas", c.text, c.max);
    EXPECT_EQ(r.ok(), c.ok) << c.text;
    if (r.ok()) {
      EXPECT_EQ(*r, c.value) << c.text;
    } else {
      EXPECT_EQ(r.error().message.rfind("--gas: ", 0), 0u) << r.error().message;
    }
  }
}

TEST(AppParse, Rfc3339IsARealInstant) {
  struct Case {
    const char* text;
    bool ok;
    std::time_t value;
  };
  const Case cases[] = {
      {"1970-01-01T00:00:00Z", true, 0},
      {"2026-01-01T00:00:00Z", true, 1767225600},
      {"2026-01-01T01:00:00+01:00", true, 1767225600},
      {"2025-12-31T23:30:00-00:30", true, 1767225600},
      {"2024-02-29T00:00:00Z", true, 1709164800},
      {"2026-01-01T00:00:00.123Z", true, 1767225600},
      {"2026-02-31T00:00:00Z", false, 0},  // 31 February
      {"2025-02-29T00:00:00Z", false, 0},  // not a leap year
      {"2026-01-01T00:00:00+25:99", false, 0},
      {"2026-01-01T24:00:00Z", false, 0},
      {"2026-13-01T00:00:00Z", false, 0},
      {"2026-01-01T00:00:00", false, 0},
      {"2026-01-01T00:00:00Zjunk", false, 0},
      {"", false, 0},
  };
  for (const auto& c : cases) {
    auto r = parse_rfc3339("--at", c.text);
    EXPECT_EQ(r.ok(), c.ok) << c.text;
    if (r.ok()) {
      EXPECT_EQ(*r, c.value) << c.text;
    }
  }
}

TEST(AppParse, HexNeverEmpty) {
  EXPECT_FALSE(parse_nonempty_hex("--nonce", "").ok());
  EXPECT_FALSE(parse_hex_bytes("--report-data", "", 64, false).ok());
  EXPECT_FALSE(parse_hex_bytes("--nonce", "00", 32, true).ok());
  EXPECT_TRUE(parse_hex_bytes("--nonce", std::string(64, 'a'), 32, true).ok());
}

TEST(AppText, EscapesControlBytesAndInvalidUtf8) {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"CN=x\nACCEPTED (product Milan)", "CN=x\\x0aACCEPTED (product Milan)"},
      {"a\rb", "a\\x0db"},
      {"\x1b[31m", "\\x1b[31m"},
      {"back\\slash", "back\\\\slash"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},      // valid UTF-8 kept
      {"bad\xff", "bad\\xff"},             // invalid byte
      {"over\xc0\xaf", "over\\xc0\\xaf"},  // overlong
      {"c1\xc2\x85", "c1\\xc2\\x85"},      // NEL (a C1 control)
  };
  for (const auto& c : cases)
    EXPECT_EQ(escape_text(c.in), c.out);
}

TEST(AppText, ErrorJsonIsAlwaysValid) {
  const Error e = make_error("attest", "BAD\nCODE", "subject \xff\n\"ACCEPTED\"", ErrorKind::kInput);
  const auto j = error_json(e);
  const std::string text = j.dump();  // would throw on invalid UTF-8
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["error"]["kind"], "input");
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(error_line(e).find('\n'), std::string::npos);
}

TEST(AppJson, HealthDegradesOnlyForRuntimeFailures) {
  EXPECT_EQ(health_json(std::nullopt)["status"], "ok");
  EXPECT_EQ(health_json(make_error("rpc", "DOWN", "x", ErrorKind::kUnavailable))["status"], "degraded");
  EXPECT_EQ(health_json(make_error("chain", "REFUSED", "x", ErrorKind::kRejected))["status"], "ok");
}

TEST(AppBinding, MatchesTheProtocolAndRefusesBadNonces) {
  BindingRequest r{"snprelay-devnet", 7, Bytes(32, 0xab), "cosmosvaloper1x", "cosmos1y", 3};
  auto a = binding_report_data(r);
  ASSERT_TRUE(a.ok());
  r.epoch = 8;
  auto b = binding_report_data(r);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
  r.nonce.pop_back();
  auto bad = binding_report_data(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInput);
  // SHA-512("abc"), FIPS 180-2 appendix C.1.
  const Bytes abc = {'a', 'b', 'c'};
  EXPECT_EQ(to_hex(report_data_for_nonce(abc)).substr(0, 32), "ddaf35a193617abacc417349ae204131");
}

TEST(AppEvidence, SimulatedSourceFromRequestAndStrictPolicy) {
  testing::TempDir dir;
  SimRequest r;
  r.state = dir.file("sim");
  auto opened = open_simulated_source(r);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_TRUE(opened->source->describe().simulated);
  EXPECT_TRUE(announce_line(*opened->source).has_value());
  std::array<std::uint8_t, 64> data{};
  data[0] = 0x42;
  auto ev = opened->source->get_report(data, 0);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  EXPECT_EQ(ev->report.size(), attest::kReportSize);

  r.policy = "0xZZ";
  auto bad = open_sim(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInput);
  EXPECT_NE(bad.error().message.find("--sim-policy"), std::string::npos);
  EXPECT_FALSE(open_simulated_source(SimRequest{}).ok());  // no state directory
}

TEST(AppEvidence, ConfigInSimulateModeUsesSimStateDir) {
  testing::TempDir dir;
  config::Config cfg;
  cfg.enclave.hardware_mode = config::HardwareMode::kSimulate;
  cfg.enclave.sev_snp.sim_state_dir = dir.file("sim");
  auto opened = open_evidence_source(cfg, SimRequest{}, false);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_TRUE(opened->source->describe().simulated);
}

TEST(AppKeys, ProtectionModesRoundTrip) {
  for (auto m : {ProtectionMode::kPassphrase, ProtectionMode::kTpm, ProtectionMode::kSnpDerived}) {
    auto parsed = parse_protection_mode(protection_mode_name(m), "--mode");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, m);
  }
  auto bad = parse_protection_mode("PASSPHRASE", "--mode");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInput);
  config::Config cfg;
  cfg.chain.key.protection = ProtectionMode::kTpm;
  cfg.chain.key.keyring_dir = "/nonexistent/keys";
  const KeyDefaults d = key_defaults(std::make_shared<const config::Config>(cfg), "relayer.toml");
  EXPECT_EQ(d.protection, ProtectionMode::kTpm);
  EXPECT_EQ(key_store("", d).path_of("k").parent_path(), std::filesystem::path("/nonexistent/keys"));
}

TEST(AppKeys, SnpDerivedNeedsAnEvidenceSource) {
  KeyRequest r;
  auto sealer = make_sealer(ProtectionMode::kSnpDerived, r, KeyDefaults{}, true);
  ASSERT_FALSE(sealer.ok());
  EXPECT_EQ(sealer.error().kind, ErrorKind::kInput);
  testing::TempDir dir;
  r.simulate = true;
  r.sim.state = dir.file("sim");
  auto ok = make_sealer(ProtectionMode::kSnpDerived, r, KeyDefaults{}, true);
  EXPECT_TRUE(ok.ok()) << ok.error().to_string();
}

TEST(AppVerification, ConfigMapsToOptionsAndKds) {
  config::Config cfg;
  cfg.enclave.sev_snp.product_name = attest::Product::kGenoa;
  cfg.enclave.sev_snp.allow_debug_policy = true;
  cfg.enclave.sev_snp.min_tcb.snp = 8;
  cfg.enclave.sev_snp.min_tcb.microcode = 200;
  cfg.enclave.sev_snp.vmpl = 2;
  const auto o = verify_options_from(cfg, 1234);
  EXPECT_EQ(o.at, 1234);
  EXPECT_EQ(o.product, attest::Product::kGenoa);
  EXPECT_TRUE(o.guest_policy.allow_debug);
  ASSERT_TRUE(o.minimum_tcb.has_value());
  EXPECT_EQ(o.minimum_tcb->snp, 8);
  EXPECT_EQ(o.minimum_tcb->microcode, 200);
  EXPECT_EQ(o.minimum_tcb->fmc, 0);
  EXPECT_EQ(o.vmpls, std::vector<std::uint32_t>{2});

  cfg.enclave.sev_snp.kds_timeout = std::chrono::seconds(7);
  const KdsRequest k = kds_request_from(cfg);
  EXPECT_EQ(k.timeout, std::chrono::milliseconds(7000));
  EXPECT_EQ(k.base_url, cfg.enclave.sev_snp.kds_base_url);
  KdsRequest bad = k;
  bad.base_url = "file:///etc/passwd";
  auto refused = make_kds_client(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::kInput);
  testing::TempDir dir;
  KdsRequest good = k;
  good.cache_dir = dir.file("cache");
  EXPECT_TRUE(make_kds_client(good).ok());
}

TEST(AppVerification, SimulatedRootTrustedOnlyOutsideRequire) {
  testing::TempDir dir;
  SimRequest r;
  r.state = dir.file("sim");
  ASSERT_TRUE(open_sim(r).ok());  // creates the state with its own ark.pem
  config::Config cfg;
  cfg.enclave.sev_snp.sim_state_dir = r.state;
  cfg.enclave.hardware_mode = config::HardwareMode::kRequire;
  auto strict = trust_from(cfg);
  ASSERT_TRUE(strict.ok());
  EXPECT_TRUE(strict->extra_roots.empty());
  cfg.enclave.hardware_mode = config::HardwareMode::kSimulate;
  auto sim = trust_from(cfg);
  ASSERT_TRUE(sim.ok()) << sim.error().to_string();
  EXPECT_EQ(sim->extra_roots.size(), 1u);
}

}  // namespace
}  // namespace snprelay::app
