// The simulated firmware end to end: reports of every supported version verify with the verifier
// used on real hardware once the simulated root is trusted explicitly, and fail CHAIN_UNTRUSTED
// otherwise; derived keys follow MSG_KEY_REQ's field-select semantics; the simulated certificates are
// served by the KDS stand-in and fetched by the real KDS client. One state directory is shared by
// the whole test program, because minting its two RSA-4096 keys takes seconds.
#include "attest/sim/sim_firmware.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "../../unit/temp_dir.hpp"
#include "attest/certs.hpp"
#include "attest/kds/kds_client.hpp"
#include "attest/report.hpp"
#include "attest/sim/kds_server.hpp"
#include "attest/verify.hpp"

namespace snprelay::attest {
namespace {

using namespace std::chrono_literals;

testing::TempDir& state_root() {
  static testing::TempDir dir;
  return dir;
}

// A state directory seeded with the fixed look-alike RSA keys from tests/data, so each test process
// mints certificates in milliseconds instead of generating RSA-4096 keys.
std::string seeded_state(const std::string& name) {
  const std::string dir = state_root().file(name);
  if (!std::filesystem::exists(dir)) {
    std::filesystem::create_directories(dir);
    const std::string keys = std::string(SNPRELAY_TEST_DATA) + "/snp/lookalike/";
    std::filesystem::copy_file(keys + "ark_key.pem", dir + "/ark.key");
    std::filesystem::copy_file(keys + "ask_key.pem", dir + "/ask.key");
  }
  return dir;
}

std::shared_ptr<SimFirmware> firmware(SimSettings s = {}, const std::string& name = "milan") {
  auto fw = SimFirmware::open(seeded_state(name), std::move(s));
  EXPECT_TRUE(fw.ok()) << fw.error().to_string();
  return fw.ok() ? std::move(fw).value() : nullptr;
}

std::array<std::uint8_t, 64> nonce(std::uint8_t seed) {
  std::array<std::uint8_t, 64> n{};
  for (std::size_t i = 0; i < n.size(); ++i)
    n[i] = static_cast<std::uint8_t>(seed + i);
  return n;
}

Verifier verifier_trusting(const SimFirmware* fw) {
  TrustConfig trust;
  if (fw != nullptr) {
    X509_up_ref(const_cast<X509*>(&fw->ark()));
    trust.extra_roots.emplace_back(const_cast<X509*>(&fw->ark()));
  }
  return std::move(Verifier::create(std::move(trust))).value();
}

Verdict verify_with(const Verifier& v, const SimFirmware& fw, const Bytes& report) {
  auto parsed = parse_report(report);
  EXPECT_TRUE(parsed.ok());
  auto vcek = const_cast<SimFirmware&>(fw).vcek_der(fw.settings().tcb);
  EXPECT_TRUE(vcek.ok());
  VerifyOptions o;
  o.at = std::time(nullptr);
  o.product = fw.settings().product;
  const X509* ask = &fw.ask();
  return v.verify(report, *vcek, o, std::span<const X509* const>(&ask, 1));
}

TEST(SimFirmware, GeneratesItsOwnRootKeysWhenNoneArePlaced) {
  testing::TempDir dir;
  auto fw = SimFirmware::open(dir.file("fresh"), {});
  ASSERT_TRUE(fw.ok()) << fw.error().to_string();
  auto seeded = firmware();
  ASSERT_TRUE(seeded);
  EXPECT_NE(cert_der((*fw)->ark()), cert_der(seeded->ark()));  // a new key, not the fixed test key
  auto report = (*fw)->report(nonce(3), 0);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(verify_with(verifier_trusting(fw->get()), **fw, *report).accepted());
}

TEST(SimFirmware, StateIsPrivateAndHasAmdShapedRoots) {
  auto fw = firmware();
  ASSERT_TRUE(fw);
  struct stat st {};
  ASSERT_EQ(::stat(state_root().file("milan").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* f : {"ark.key", "ask.key", "root_secret", "chip_id"}) {
    ASSERT_EQ(::stat((state_root().file("milan") + "/" + f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  EXPECT_EQ(subject_cn(fw->ark()), "ARK-Milan");
  EXPECT_EQ(issuer_cn(fw->ark()), "ARK-Milan");
  EXPECT_EQ(subject_cn(fw->ask()), "SEV-Milan");
  EXPECT_TRUE(has_amd_pss_signature(fw->ark()));
  EXPECT_TRUE(has_amd_pss_signature(fw->ask()));
}

TEST(SimFirmware, ReopeningKeepsTheSameIdentity) {
  auto a = firmware();
  auto b = firmware();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->chip_id(), b->chip_id());
  EXPECT_EQ(cert_der(a->ark()), cert_der(b->ark()));
  EXPECT_EQ(*a->vcek_der(a->settings().tcb), *b->vcek_der(b->settings().tcb));
}

TEST(SimFirmware, ReportsOfEachVersionVerifyOnlyWithTheRootTrusted) {
  for (const std::uint32_t version : {2U, 3U, 5U}) {
    SimSettings s;
    s.version = version;
    auto fw = firmware(s);
    ASSERT_TRUE(fw);
    const auto data = nonce(static_cast<std::uint8_t>(version));
    auto report = fw->report(data, 0);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    ASSERT_EQ(report->size(), 1184u);
    auto parsed = parse_report(*report);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->version, version);
    EXPECT_TRUE(std::equal(data.begin(), data.end(), parsed->report_data.begin()));
    EXPECT_EQ(parsed->measurement, SimSettings::default_measurement());
    EXPECT_EQ(parsed->chip_id, fw->chip_id());
    const auto round = serialize_report(*parsed);
    EXPECT_TRUE(std::equal(round.begin(), round.end(), report->begin())) << "v" << version;

    const Verdict trusted = verify_with(verifier_trusting(fw.get()), *fw, *report);
    EXPECT_TRUE(trusted.accepted()) << "v" << version << ": "
                                    << (trusted.failures.empty() ? "" : trusted.failures[0].message);
    const Verdict untrusted = verify_with(verifier_trusting(nullptr), *fw, *report);
    EXPECT_FALSE(untrusted.accepted());
    EXPECT_TRUE(untrusted.has(FailureCode::kChainUntrusted)) << "v" << version;
  }
}

TEST(SimFirmware, GenoaAndTurinChainsVerify) {
  for (const Product p : {Product::kGenoa, Product::kTurin}) {
    SimSettings s;
    s.product = p;
    s.tcb = SimSettings::default_tcb(p);
    auto fw = firmware(s, std::string(product_name(p)));
    ASSERT_TRUE(fw);
    auto report = fw->report(nonce(9), 0);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    const Verdict v = verify_with(verifier_trusting(fw.get()), *fw, *report);
    EXPECT_TRUE(v.accepted()) << product_name(p) << ": " << (v.failures.empty() ? "" : v.failures[0].message);
    EXPECT_EQ(subject_cn(fw->ark()), "ARK-" + std::string(product_name(p)));
  }
}

TEST(SimFirmware, StateForAnotherProductIsRefused) {
  SimSettings s;
  s.product = Product::kGenoa;
  s.tcb = SimSettings::default_tcb(Product::kGenoa);
  ASSERT_TRUE(firmware());  // "milan" holds a Milan chain
  auto fw = SimFirmware::open(seeded_state("milan"), s);
  ASSERT_FALSE(fw.ok());
  EXPECT_EQ(fw.error().code, "SIM_STATE");
  EXPECT_NE(fw.error().message.find("holds a simulated Milan chain, not Genoa"), std::string::npos);
}

TEST(SimFirmware, BadSettingsRefused) {
  SimSettings s;
  s.version = 4;
  EXPECT_EQ(SimFirmware::open(seeded_state("milan"), s).error().code, "SIM_STATE");
  SimSettings t;
  t.tcb.fmc = 1;  // Milan has no FMC
  EXPECT_EQ(SimFirmware::open(seeded_state("milan"), t).error().code, "SIM_STATE");
}

TEST(SimFirmware, VmplBelowTheGuestsIsRefused) {
  SimSettings s;
  s.guest_vmpl = 2;
  auto fw = firmware(s);
  ASSERT_TRUE(fw);
  auto r = fw->report(nonce(1), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("INVALID_PARAM"), std::string::npos);
  auto ok = fw->report(nonce(1), 3);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(parse_report(*ok)->vmpl, 3u);
}

TEST(SimFirmware, DerivedKeysFollowFieldSelect) {
  SimSettings a;
  SimSettings b;
  b.measurement.fill(0x42);
  auto fa = firmware(a);
  auto fb = firmware(b);
  ASSERT_TRUE(fa && fb);
  DerivedKeyRequest with_measurement;
  with_measurement.field_select = kFieldMeasurement | kFieldPolicy;
  auto ka1 = fa->derive_key(with_measurement);
  auto ka2 = fa->derive_key(with_measurement);
  auto kb = fb->derive_key(with_measurement);
  ASSERT_TRUE(ka1.ok() && ka2.ok() && kb.ok());
  EXPECT_EQ(ka1->size(), 32u);
  EXPECT_TRUE(ka1->equals(*ka2));  // deterministic
  EXPECT_FALSE(ka1->equals(*kb));  // another measurement, another key
  DerivedKeyRequest policy_only;
  policy_only.field_select = kFieldPolicy;
  EXPECT_TRUE(fa->derive_key(policy_only)->equals(*fb->derive_key(policy_only)));
  EXPECT_FALSE(fa->derive_key(policy_only)->equals(*ka1));
  DerivedKeyRequest other_vmpl = with_measurement;
  other_vmpl.vmpl = 1;
  EXPECT_FALSE(fa->derive_key(other_vmpl)->equals(*ka1));
}

TEST(SimFirmware, DerivedKeyRequestsAFirmwareWouldRefuse) {
  auto fw = firmware();
  ASSERT_TRUE(fw);
  DerivedKeyRequest vmrk;
  vmrk.root = RootKey::kVmrk;
  EXPECT_NE(fw->derive_key(vmrk).error().message.find("INVALID_KEY"), std::string::npos);
  DerivedKeyRequest svn;
  svn.guest_svn = 1;
  EXPECT_NE(fw->derive_key(svn).error().message.find("GUEST_SVN"), std::string::npos);
  DerivedKeyRequest tcb;
  TcbParts higher = fw->settings().tcb;
  higher.snp = 200;
  tcb.tcb_version = encode_tcb(higher, Product::kMilan);
  EXPECT_NE(fw->derive_key(tcb).error().message.find("TCB_VERSION"), std::string::npos);
  DerivedKeyRequest reserved;
  reserved.field_select = 1ULL << 7;
  EXPECT_FALSE(fw->derive_key(reserved).ok());
}

TEST(SimulatedSource, IsFlaggedAndCarriesHostCertificates) {
  auto source = make_simulated_source(firmware());
  EXPECT_TRUE(source->describe().simulated);
  EXPECT_EQ(source->describe().backend, "simulated");
  auto ev = source->get_report(nonce(5), 0);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  EXPECT_TRUE(ev->simulated);
  ASSERT_EQ(ev->certs.size(), 3u);
  EXPECT_EQ(ev->certs[0].kind, CertKind::kVcek);
  EXPECT_EQ(ev->certs[2].kind, CertKind::kArk);
}

TEST(SimKds, ClientFetchesTheSimulatedVcekForAReport) {
  auto fw = firmware();
  ASSERT_TRUE(fw);
  auto server = KdsServer::start({}, make_sim_kds_store(fw));
  ASSERT_TRUE(server.ok());
  testing::TempDir cache_dir;
  KdsClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/vcek/v1";
  HttpFetcherOptions fo;
  fo.max_attempts = 1;
  KdsClient client(o, std::make_shared<HttpFetcher>(fo),
                   std::move(CertCache::open(cache_dir.file("c"))).value());
  auto report = fw->report(nonce(7), 0);
  ASSERT_TRUE(report.ok());
  auto parsed = parse_report(*report);
  auto vcek =
      client.vcek(Product::kMilan, parsed->chip_id, decode_tcb(parsed->reported_tcb, Product::kMilan));
  ASSERT_TRUE(vcek.ok()) << vcek.error().to_string();
  auto chain = client.chain(Product::kMilan, KdsSigner::kVcek);
  ASSERT_TRUE(chain.ok()) << chain.error().to_string();
  auto crl = client.crl(Product::kMilan, KdsSigner::kVcek);
  ASSERT_TRUE(crl.ok()) << crl.error().to_string();
  EXPECT_EQ((*server)->stats().requests, 3u);
  // Another chip's VCEK is not served.
  std::array<std::uint8_t, 64> other = parsed->chip_id;
  other[0] ^= 1;
  auto missing = client.vcek(Product::kMilan, other, decode_tcb(parsed->reported_tcb, Product::kMilan));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("HTTP 404"), std::string::npos);
}

// A devnet validator's own chip: same simulated root, its own CHIP_ID and VCEK, reports that verify
// under the root's ARK; the same (root, index) always gives the same chip.
TEST(SimFirmware, ChipsUnderOneRootAreDistinctStableAndVerify) {
  auto root = firmware();
  ASSERT_TRUE(root);
  testing::TempDir dir;
  for (std::uint32_t i : {0U, 1U})
    ASSERT_TRUE(SimFirmware::create_chip(root->state_dir(), i, dir.file("chip" + std::to_string(i))).ok());
  auto chip0 = SimFirmware::open(dir.file("chip0"), {});
  auto chip1 = SimFirmware::open(dir.file("chip1"), {});
  ASSERT_TRUE(chip0.ok()) << chip0.error().to_string();
  ASSERT_TRUE(chip1.ok()) << chip1.error().to_string();
  EXPECT_NE((*chip0)->chip_id(), root->chip_id());
  EXPECT_NE((*chip0)->chip_id(), (*chip1)->chip_id());
  EXPECT_EQ(cert_der((*chip1)->ark()), cert_der(root->ark()));
  EXPECT_EQ(cert_der((*chip1)->ask()), cert_der(root->ask()));
  auto vcek_root = root->vcek_der(root->settings().tcb);
  auto vcek_chip = (*chip1)->vcek_der((*chip1)->settings().tcb);
  ASSERT_TRUE(vcek_root.ok() && vcek_chip.ok());
  EXPECT_NE(*vcek_root, *vcek_chip);
  auto report = (*chip1)->report(nonce(9), 0);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(parse_report(*report)->chip_id, (*chip1)->chip_id());
  EXPECT_TRUE(verify_with(verifier_trusting(root.get()), **chip1, *report).accepted());

  // Re-creating is a no-op that keeps the chip; another index over an existing chip is refused.
  ASSERT_TRUE(SimFirmware::create_chip(root->state_dir(), 1, dir.file("chip1")).ok());
  auto again = SimFirmware::open(dir.file("chip1"), {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->chip_id(), (*chip1)->chip_id());
  auto other = SimFirmware::create_chip(root->state_dir(), 2, dir.file("chip1"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "SIM_STATE");
  EXPECT_NE(other.error().message.find("chip_id"), std::string::npos) << other.error().message;
  // An incomplete root is refused, naming it.
  auto no_root = SimFirmware::create_chip(dir.file("nothing"), 0, dir.file("chip9"));
  ASSERT_FALSE(no_root.ok());
  EXPECT_NE(no_root.error().message.find(dir.file("nothing")), std::string::npos);
}

}  // namespace
}  // namespace snprelay::attest
