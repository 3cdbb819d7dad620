// Generates the differential-agreement corpus under tests/data/agreement/ (README.md there): the
// simulated firmware's reports for every product and version, re-signed mutations of them, VCEK
// variants minted with the simulated ASK, mutations of the real reports in tests/data/snp, and
// cases.json, the table of expected codes that both `go test` (onchain/x/snpattest/verify) and the
// ctest `agreement` test read. Run once by hand; its output is committed:
//   build/bin/agreement_corpus_gen tests/data/agreement
// The simulated state (sim-state/<product>/) is created on the first run and reused afterwards, so
// the simulated ARK/ASK, chip ids and VCEK keys stay the same across regenerations.
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attest/certs.hpp"
#include "attest/report.hpp"
#include "attest/sim/amd_cert_mint.hpp"
#include "attest/sim/sim_firmware.hpp"
#include "common/hex.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace snprelay;
using namespace snprelay::attest;

namespace {

constexpr const char* kRealTime = "2026-06-01T00:00:00Z";  // every real VCEK is valid then
constexpr const char* kSimTime = "2027-06-01T00:00:00Z";   // simulated VCEKs: minted 2026-12, 7 years
constexpr std::time_t kT2024 = 1704067200;
constexpr std::time_t kT2031 = 1924992000;
constexpr std::time_t kT2030 = 1893456000;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "agreement_corpus_gen: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T must(Result<T> r, const std::string& what) {
  if (!r.ok())
    die(what + ": " + r.error().message);
  return std::move(r).value();
}

std::string g_out;

void write(const std::string& rel, std::span<const std::uint8_t> bytes) {
  std::ofstream f(g_out + "/" + rel, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f)
    die("cannot write " + rel);
}

// The fixed binding every simulated report carries: SHA-512 would do as well; any fixed 64 bytes
// that are not all zero make the REPORT_DATA check meaningful.
std::array<std::uint8_t, 64> binding() {
  std::array<std::uint8_t, 64> b{};
  for (std::size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<std::uint8_t>(0xA0 ^ (i * 7));
  return b;
}

struct Sim {
  std::string name;  // "milan"
  Product product = Product::kUnknown;
  std::string state;  // relative to the corpus dir
  std::shared_ptr<SimFirmware> fw;
  EvpPkeyPtr vcek_key, ask_key;
  Bytes vcek;
};

EvpPkeyPtr key_of(const std::string& path) {
  return must(parse_private_key_pem(must(read_file(path), path)), path);
}

// The VCEK key of the state dir whose public half is the VCEK's.
EvpPkeyPtr find_vcek_key(const std::string& dir, const Bytes& vcek_der) {
  X509Ptr cert = must(parse_cert_der(vcek_der), "vcek");
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("vcek-", 0) == 0 && e.path().extension() == ".key") {
      EvpPkeyPtr k = key_of(e.path().string());
      if (EVP_PKEY_eq(k.get(), X509_get0_pubkey(cert.get())) == 1)
        return k;
    }
  }
  die("no VCEK key in " + dir);
}

Sim open_sim(const std::string& name, Product product, std::uint32_t version,
             std::optional<TcbParts> tcb = {}) {
  Sim s;
  s.name = name;
  s.product = product;
  s.state = "sim-state/" + name;
  SimSettings settings;
  settings.product = product;
  settings.version = version;
  settings.tcb = tcb.value_or(SimSettings::default_tcb(product));
  fs::create_directories(g_out + "/sim-state");
  s.fw = must(SimFirmware::open(g_out + "/" + s.state, settings), "sim " + name);
  s.vcek = must(s.fw->vcek_der(settings.tcb), "vcek " + name);
  s.vcek_key = find_vcek_key(g_out + "/" + s.state, s.vcek);
  s.ask_key = key_of(g_out + "/" + s.state + "/ask.key");
  return s;
}

void resign(Bytes& raw, const Sim& s) {
  if (!sign_report(raw, s.vcek_key.get()).ok())
    die("sign_report");
}

// A VCEK minted by the simulated ASK over the simulated VCEK key, with `spec` extensions.
Bytes mint_vcek(const Sim& s, const VekSpec& spec, std::time_t nb = kT2024, std::time_t na = kT2031,
                const std::string& cn = "SEV-VCEK") {
  X509Ptr c = must(mint_cert({cn, &s.fw->ask(), s.ask_key.get(), s.vcek_key.get(), 0, nb, na, false,
                              vek_extensions(spec)}),
                   "mint vcek");
  return cert_der(*c);
}

// `der` with its subject's O replaced, re-signed by the simulated ASK in AMD's PSS profile.
Bytes with_organization(const Sim& s, const Bytes& der, const std::string& org) {
  X509Ptr c = must(parse_cert_der(der), "vcek");
  // A fresh X509_NAME: editing an entry in place would leave the name's cached encoding stale.
  const X509_NAME* old_name = X509_get_subject_name(c.get());
  X509_NAME* name = X509_NAME_new();
  for (int i = 0; i < X509_NAME_entry_count(old_name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(old_name, i);
    const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    const ASN1_STRING* d = X509_NAME_ENTRY_get_data(e);
    std::string v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(d)),
                  static_cast<std::size_t>(ASN1_STRING_length(d)));
    if (nid == NID_organizationName)
      v = org;
    X509_NAME_add_entry_by_NID(name, nid, MBSTRING_ASC, reinterpret_cast<const unsigned char*>(v.data()),
                               static_cast<int>(v.size()), -1, 0);
  }
  if (X509_set_subject_name(c.get(), name) != 1)
    die("subject O");
  X509_NAME_free(name);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  const bool ok = md != nullptr &&
                  EVP_DigestSignInit(md, &pctx, EVP_sha384(), nullptr, s.ask_key.get()) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) == 1 &&
                  EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) == 1 && X509_sign_ctx(c.get(), md) > 0;
  EVP_MD_CTX_free(md);
  if (!ok)
    die("re-sign vcek");
  return cert_der(*c);
}

VekSpec spec_of(const Sim& s) {
  const TcbParts t = s.fw->settings().tcb;
  VekSpec v;
  v.struct_version = s.product == Product::kTurin ? 1 : 0;
  v.product_name = s.product == Product::kMilan   ? "Milan-B0"
                   : s.product == Product::kGenoa ? "Genoa-B1"
                                                  : "Turin-B0";
  v.bl = t.bootloader;
  v.tee = t.tee;
  v.snp = t.snp;
  v.ucode = t.microcode;
  v.fmc = t.fmc;
  const auto& chip = s.fw->chip_id();
  v.hw_id.assign(chip.begin(), chip.begin() + (s.product == Product::kTurin ? 8 : 64));
  return v;
}

// n - S for the little-endian 72-byte S at 0x2E8: the malleated twin of a valid signature.
void malleate(Bytes& raw) {
  BignumPtr n(BN_new());
  BIGNUM* np = n.get();
  BN_hex2bn(
      &np,
      "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");
  BignumPtr s(BN_lebin2bn(raw.data() + 0x2E8, 48, nullptr));
  BignumPtr out(BN_new());
  BN_sub(out.get(), n.get(), s.get());
  std::fill(raw.begin() + 0x2E8, raw.begin() + 0x2E8 + 72, 0);
  BN_bn2lebinpad(out.get(), raw.data() + 0x2E8, 48);
}

json g_cases = json::array();

json add(const std::string& name, const std::string& report, const std::string& vcek,
         const std::string& roots, const std::string& expected, const std::string& why) {
  json c = {{"name", name},   {"report", report},     {"vcek", vcek},
            {"roots", roots}, {"expected", expected}, {"why", why}};
  return c;
}

void push(json c) {
  g_cases.push_back(std::move(c));
}

json real_case(const std::string& name, const std::string& report, const std::string& vcek,
               const std::string& expected, const std::string& why) {
  json c = add(name, report, vcek, "amd", expected, why);
  c["time"] = kRealTime;
  c["expected_report_data"] = "report";
  c["allowlist"] = json::array({json{{"measurement", "report"}, {"label", "real"}}});
  return c;
}

json sim_case(const Sim& s, const std::string& name, const std::string& report, const std::string& vcek,
              const std::string& expected, const std::string& why) {
  json c = add(name, report, vcek, "simulated", expected, why);
  c["sim_state"] = s.state;
  c["time"] = kSimTime;
  c["expected_report_data"] = to_hex(binding());
  c["allowlist"] = json::array({json{{"measurement", "report"}, {"label", "sim-" + s.name}}});
  return c;
}

std::string file(const std::string& name, const Bytes& bytes) {
  write("files/" + name, bytes);
  return "files/" + name;
}

void real_cases(const Sim& milan) {
  const std::string vm = "../snp/milan_v2_virtee_report.bin", vmc = "../snp/milan_virtee_vcek.der";
  const std::string ge = "../snp/genoa_v3_tinfoil_report.bin", gec = "../snp/genoa_tinfoil_vcek.der";
  const std::string gm = "../snp/milan_v2_go_attestation.bin", gmc = "../snp/milan_go_vcek.der";
  const Bytes virtee = must(read_file(g_out + "/" + vm), vm);
  push(real_case("real/virtee-milan-v2", vm, vmc, "ACCEPT", "genuine AMD Milan v2 report"));
  push(real_case("real/genoa-v3", ge, gec, "ACCEPT", "genuine AMD Genoa v3 report"));
  push(
      real_case("real/go-milan-v2-debug", gm, gmc, "DEBUG_POLICY", "go-sev-guest's vector has POLICY.DEBUG"));
  {
    json c = real_case("real/go-milan-v2-debug-allowed", gm, gmc, "ACCEPT", "allow_debug admits it");
    c["params"] = {{"allow_debug", true}};
    push(c);
  }
  auto mutated = [&](const std::string& name, auto&& f) {
    Bytes raw = virtee;
    f(raw);
    return file(name + ".bin", raw);
  };
  push(real_case("real/virtee-malleated-s", mutated("virtee_malleated", malleate), vmc, "ACCEPT",
                 "S -> n-S still verifies: malleability is not a rejection reason"));
  push(real_case("real/virtee-flipped-r", mutated("virtee_flipped_r", [](Bytes& r) { r[0x2A0 + 5] ^= 0x40; }),
                 vmc, "SIGNATURE_INVALID", "a flipped bit in R"));
  push(real_case("real/virtee-flipped-s", mutated("virtee_flipped_s", [](Bytes& r) { r[0x2E8] ^= 1; }), vmc,
                 "SIGNATURE_INVALID", "a flipped bit in S"));
  push(real_case("real/virtee-report-data-bit",
                 mutated("virtee_report_data_bit", [](Bytes& r) { r[0x50] ^= 1; }), vmc, "SIGNATURE_INVALID",
                 "REPORT_DATA changed after signing (expected = the changed value)"));
  {
    json c = real_case("real/virtee-wrong-report-data", vm, vmc, "REPORT_DATA_MISMATCH",
                       "another binding expected");
    c["expected_report_data"] = std::string(128, '0');
    push(c);
  }
  push(real_case("real/virtee-r-upper-bytes", mutated("virtee_r_upper", [](Bytes& r) { r[0x2A0 + 60] = 1; }),
                 vmc, "SIGNATURE_ENCODING", "R's upper 24 bytes must be zero"));
  push(real_case("real/virtee-s-is-n",
                 mutated("virtee_s_is_n",
                         [](Bytes& r) {
                           std::fill(r.begin() + 0x2E8, r.begin() + 0x330, 0);
                           BignumPtr n(BN_new());
                           BIGNUM* np = n.get();
                           BN_hex2bn(&np,
                                     "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db"
                                     "248b0a77aecec196accc52973");
                           BN_bn2lebinpad(n.get(), r.data() + 0x2E8, 48);
                         }),
                 vmc, "SIGNATURE_ENCODING", "S must be below the group order"));
  push(real_case("real/virtee-unsigned-tail", mutated("virtee_tail", [](Bytes& r) { r[0x400] = 0x5A; }), vmc,
                 "RESERVED_NONZERO", "bytes after the signature are not signed but must be zero"));
  push(real_case("real/virtee-truncated",
                 file("virtee_truncated.bin", Bytes(virtee.begin(), virtee.end() - 1)), vmc, "SIZE_INVALID",
                 "1183 bytes"));
  push(real_case("real/virtee-debug-bit", mutated("virtee_debug", [](Bytes& r) { r[0x0A] |= 0x08; }), vmc,
                 "DEBUG_POLICY", "DEBUG set after signing: the policy check comes before the signature"));
  push(real_case("real/virtee-vmpl-4", mutated("virtee_vmpl4", [](Bytes& r) { r[0x30] = 4; }), vmc,
                 "VMPL_NOT_ALLOWED", "VMPL 4 does not exist"));
  push(real_case("real/virtee-version-6", mutated("virtee_v6", [](Bytes& r) { r[0] = 6; }), vmc,
                 "VERSION_UNSUPPORTED", "version 6"));
  push(real_case("real/virtee-sig-algo-2", mutated("virtee_algo2", [](Bytes& r) { r[0x34] = 2; }), vmc,
                 "SIGNATURE_ALGO_UNSUPPORTED", "SIGNATURE_ALGO 2"));
  {
    json c =
        real_case("real/virtee-vmpl-not-in-params", vm, vmc, "VMPL_NOT_ALLOWED", "params allow VMPL 1 only");
    c["params"] = {{"allowed_vmpls", {1}}};
    push(c);
  }
  {
    json c = real_case("real/virtee-v2-not-allowed", vm, vmc, "VERSION_UNSUPPORTED",
                       "params allow v3 and v5 only");
    c["params"] = {{"allowed_report_versions", {3, 5}}};
    push(c);
  }
  {
    json c =
        real_case("real/virtee-smt-denied", vm, vmc, "POLICY_VIOLATION", "POLICY.SMT with allow_smt = false");
    c["params"] = {{"allow_smt", false}};
    push(c);
  }
  {
    json c = real_case("real/virtee-product-not-allowed", vm, vmc, "PRODUCT_MISMATCH", "only Genoa allowed");
    c["params"] = {{"allowed_products", {"Genoa"}}};
    push(c);
  }
  {
    json c = real_case("real/virtee-measurement-not-allowed", vm, vmc, "MEASUREMENT_NOT_ALLOWED",
                       "another measurement");
    c["allowlist"] = json::array({json{{"measurement", std::string(96, 'a')}, {"label", "other"}}});
    push(c);
  }
  {
    json c =
        real_case("real/virtee-tcb-below-min", vm, vmc, "TCB_BELOW_MINIMUM", "min snp above the report's");
    c["min_tcb"] = json::array({json{
        {"product", "Milan"}, {"boot_loader", 0}, {"tee", 0}, {"snp", 200}, {"microcode", 0}, {"fmc", 0}}});
    push(c);
  }
  {
    json c = real_case("real/virtee-tcb-min-other-product", vm, vmc, "ACCEPT",
                       "a Genoa minimum does not apply to Milan");
    c["min_tcb"] = json::array({json{{"product", "Genoa"},
                                     {"boot_loader", 255},
                                     {"tee", 255},
                                     {"snp", 255},
                                     {"microcode", 255},
                                     {"fmc", 0}}});
    push(c);
  }
  {
    json c = real_case("real/virtee-expired-2040", vm, vmc, "CERT_NOT_VALID_AT_TIME",
                       "the VCEK expired before 2040");
    c["time"] = "2040-01-01T00:00:00Z";
    push(c);
  }
  {
    json c = real_case("real/virtee-before-2020", vm, vmc, "CERT_NOT_VALID_AT_TIME",
                       "the VCEK is not yet valid in 2020");
    c["time"] = "2020-06-01T00:00:00Z";
    push(c);
  }
  push(real_case("real/genoa-report-milan-vcek", ge, vmc, "PRODUCT_MISMATCH", "Genoa CPUID, Milan chain"));
  push(real_case("real/virtee-report-go-vcek", vm, gmc, "VCEK_CHIP_MISMATCH", "another Milan chip's VCEK"));
  push(real_case("real/virtee-garbage-vcek", vm, file("garbage_vcek.der", Bytes(64, 0x30)), "CHAIN_UNTRUSTED",
                 "not a certificate"));
  push(real_case("real/virtee-simulated-vcek", vm, "files/sim_milan_vcek.der", "CHAIN_UNTRUSTED",
                 "a simulated VCEK does not chain to AMD"));
  // The allowlist entry's constraints.
  auto entry_case = [&](const std::string& name, json entry, const std::string& expected,
                        const std::string& why, std::int64_t height = 100) {
    json c = real_case(name, vm, vmc, expected, why);
    entry["measurement"] = "report";
    entry["label"] = "constrained";
    c["allowlist"] = json::array({entry});
    c["height"] = height;
    push(c);
  };
  entry_case("entry/min-guest-svn", {{"min_guest_svn", 5}}, "POLICY_VIOLATION",
             "GUEST_SVN below min_guest_svn");
  entry_case("entry/host-data", {{"host_data", std::string(64, '1')}}, "POLICY_VIOLATION",
             "HOST_DATA differs");
  entry_case("entry/image-id", {{"image_id", std::string(32, '2')}}, "POLICY_VIOLATION", "IMAGE_ID differs");
  entry_case("entry/family-id", {{"family_id", std::string(32, '3')}}, "POLICY_VIOLATION",
             "FAMILY_ID differs");
  entry_case("entry/policy-mask", {{"policy_mask", 0x10000}, {"policy_value", 0}}, "POLICY_VIOLATION",
             "the entry requires SMT (bit 16) clear");
  entry_case("entry/policy-mask-ok", {{"policy_mask", 0x80000}, {"policy_value", 0}}, "ACCEPT",
             "debug bit clear, as required");
  entry_case("entry/expired", {{"expiry_height", 100}}, "MEASUREMENT_NOT_ALLOWED",
             "entry expired at height 100", 100);
  entry_case("entry/not-yet-expired", {{"expiry_height", 101}}, "ACCEPT", "entry valid below height 101",
             100);
  (void)milan;
}

void sim_cases(std::vector<Sim>& sims) {
  for (Sim& s : sims) {
    write("files/sim_" + s.name + "_vcek.der", s.vcek);
    const std::string vcek = "files/sim_" + s.name + "_vcek.der";
    Bytes base;
    for (std::uint32_t v : {2u, 3u, 5u}) {
      SimSettings st = s.fw->settings();
      st.version = v;
      auto fw = must(SimFirmware::open(g_out + "/" + s.state, st), "sim reopen");
      const auto b = binding();
      Bytes raw = must(fw->report(std::span<const std::uint8_t, 64>(b), 0), "report");
      const std::string f = file("sim_" + s.name + "_v" + std::to_string(v) + ".bin", raw);
      const bool turin_v2 = s.product == Product::kTurin && v == 2;
      const bool genoa_v2 = s.product == Product::kGenoa && v == 2;
      push(sim_case(s, "sim/" + s.name + "-v" + std::to_string(v), f, vcek,
                    turin_v2 || genoa_v2 ? "VERSION_UNSUPPORTED" : "ACCEPT",
                    turin_v2   ? "Turin reports are v3+: a v2 report with a Turin key is refused"
                    : genoa_v2 ? "v2 has no CPUID and the Genoa VCEK's productName 'Genoa' names no stepping "
                                 "(go-sev-guest refuses it; the stricter rule wins)"
                               : "the simulated firmware's report, trusted through simulated_roots"));
      if (v == 3)
        base = raw;
    }
    const std::string n = s.name;
    push(sim_case(s, "sim/" + n + "-v3-amd-roots-only", "files/sim_" + n + "_v3.bin", vcek, "CHAIN_UNTRUSTED",
                  "without simulated_roots a simulated report is never accepted"));
    // the amd-only case must not carry the simulated roots
    g_cases.back()["roots"] = "amd";
    auto resigned = [&](const std::string& name, auto&& f, const std::string& expected,
                        const std::string& why, const json& params = json::object()) {
      Bytes raw = base;
      f(raw);
      resign(raw, s);
      json c = sim_case(s, "sim/" + n + "-" + name, file("sim_" + n + "_" + name + ".bin", raw), vcek,
                        expected, why);
      if (!params.empty())
        c["params"] = params;
      push(c);
    };
    resigned(
        "debug", [](Bytes& r) { r[0x0A] |= 0x08; }, "DEBUG_POLICY", "POLICY.DEBUG, re-signed");
    resigned("debug-allowed", [](Bytes& r) { r[0x0A] |= 0x08; }, "ACCEPT", "POLICY.DEBUG with allow_debug",
             {{"allow_debug", true}});
    if (s.product == Product::kMilan) {
      {
        Bytes raw = base;
        malleate(raw);
        push(sim_case(s, "sim/milan-malleated-s", file("sim_milan_malleated.bin", raw), vcek, "ACCEPT",
                      "S -> n-S of a simulated report"));
      }
      resigned(
          "migrate-ma", [](Bytes& r) { r[0x0A] |= 0x04; }, "POLICY_VIOLATION", "POLICY.MIGRATE_MA");
      resigned(
          "bit17-clear", [](Bytes& r) { r[0x0A] &= 0xFD; }, "POLICY_VIOLATION", "POLICY bit 17 must be 1");
      resigned(
          "cxl", [](Bytes& r) { r[0x0A] |= 0x20; }, "POLICY_VIOLATION", "POLICY.CXL_ALLOW is never allowed");
      resigned(
          "policy-reserved", [](Bytes& r) { r[0x0B] |= 0x10; }, "RESERVED_NONZERO", "POLICY bit 28");
      resigned(
          "keyinfo-reserved", [](Bytes& r) { r[0x48] |= 0x20; }, "RESERVED_NONZERO", "KEY_INFO bit 5");
      resigned(
          "platform-reserved", [](Bytes& r) { r[0x40] |= 0x40; }, "RESERVED_NONZERO", "PLATFORM_INFO bit 6");
      resigned(
          "mit-vector-v3", [](Bytes& r) { r[0x1F8] = 1; }, "RESERVED_NONZERO",
          "0x1F8.. is reserved before v5 (go-sev-guest reads it as LAUNCH_MIT_VECTOR for every version)");
      resigned(
          "reserved-0x190", [](Bytes& r) { r[0x190] = 1; }, "RESERVED_NONZERO", "reserved after CPUID");
      resigned(
          "vmpl-4", [](Bytes& r) { r[0x30] = 4; }, "VMPL_NOT_ALLOWED", "VMPL 4, re-signed");
      resigned(
          "vmpl-1", [](Bytes& r) { r[0x30] = 1; }, "VMPL_NOT_ALLOWED", "VMPL 1, params allow 0");
      resigned("vmpl-1-allowed", [](Bytes& r) { r[0x30] = 1; }, "ACCEPT", "VMPL 1 allowed",
               {{"allowed_vmpls", {0, 1}}});
      resigned(
          "signer-vlek", [](Bytes& r) { r[0x48] = 1 << 2; }, "SIGNER_NOT_ALLOWED",
          "VLEK-signed, VLEK not allowed");
      resigned("signer-vlek-allowed", [](Bytes& r) { r[0x48] = 1 << 2; }, "SIGNER_NOT_ALLOWED",
               "KEY_INFO says VLEK but the certificate is a VCEK", {{"allow_vlek", true}});
      resigned(
          "signer-none", [](Bytes& r) { r[0x48] = 7 << 2; }, "SIGNER_NOT_ALLOWED", "SIGNING_KEY = NONE");
      resigned(
          "signer-reserved", [](Bytes& r) { r[0x48] = 3 << 2; }, "SIGNER_NOT_ALLOWED", "SIGNING_KEY = 3");
      resigned(
          "mask-chip-key", [](Bytes& r) { r[0x48] |= 2; }, "SIGNER_NOT_ALLOWED",
          "VCEK-signed with MASK_CHIP_KEY");
      resigned(
          "chip-id-masked", [](Bytes& r) { std::fill(r.begin() + 0x1A0, r.begin() + 0x1E0, 0); },
          "CHIP_ID_MASKED", "CHIP_ID all zero");
      resigned(
          "cpuid-genoa", [](Bytes& r) { r[0x189] = 0x11; }, "PRODUCT_MISMATCH", "Genoa CPUID, Milan chain");
      resigned(
          "sig-algo-2", [](Bytes& r) { r[0x34] = 2; }, "SIGNATURE_ALGO_UNSUPPORTED", "SIGNATURE_ALGO 2");
      resigned(
          "version-4", [](Bytes& r) { r[0] = 4; }, "VERSION_UNSUPPORTED",
          "v4 is not in the chain's set {2,3,5}");
      resigned(
          "provisional-fw", [](Bytes& r) { r[0x1E6] = 7; }, "POLICY_VIOLATION",
          "COMMITTED_TCB != CURRENT_TCB");
      resigned(
          "current-tcb-below-vcek",
          [](Bytes& r) {
            r[0x3E] = 7;
            r[0x1E6] = 7;
          },
          "VCEK_TCB_MISMATCH", "VCEK TCB above CURRENT_TCB");
      resigned(
          "guest-svn-ok", [](Bytes& r) { r[0x04] = 9; }, "ACCEPT", "GUEST_SVN 9, no minimum");
      {
        Bytes raw = base;
        raw[0x50] ^= 0xFF;
        resign(raw, s);
        push(sim_case(s, "sim/milan-wrong-binding", file("sim_milan_wrong_binding.bin", raw), vcek,
                      "REPORT_DATA_MISMATCH", "signed, but bound to something else"));
      }
      {
        Bytes raw = base;
        raw[0x2A0] ^= 1;
        push(sim_case(s, "sim/milan-flipped-r", file("sim_milan_flipped_r.bin", raw), vcek,
                      "SIGNATURE_INVALID", "flipped R bit"));
      }
      // VCEK variants over the same key.
      VekSpec spec = spec_of(s);
      push(sim_case(s, "sim/milan-vcek-variant-ok", "files/sim_milan_v3.bin",
                    file("sim_milan_vcek_variant_ok.der", mint_vcek(s, spec)), "ACCEPT",
                    "re-minted VCEK, same fields"));
      {
        VekSpec v = spec;
        v.hw_id[5] ^= 0xFF;
        push(sim_case(s, "sim/milan-vcek-hwid", "files/sim_milan_v3.bin",
                      file("sim_milan_vcek_hwid.der", mint_vcek(s, v)), "VCEK_CHIP_MISMATCH",
                      "hwID differs from CHIP_ID"));
      }
      {
        VekSpec v = spec;
        v.snp = static_cast<std::uint8_t>(v.snp - 1);
        push(sim_case(s, "sim/milan-vcek-tcb", "files/sim_milan_v3.bin",
                      file("sim_milan_vcek_tcb.der", mint_vcek(s, v)), "VCEK_TCB_MISMATCH",
                      "VCEK SNP SPL differs from REPORTED_TCB"));
      }
      {
        VekSpec v = spec;
        v.product_name = "Genoa-B1";
        push(sim_case(s, "sim/milan-vcek-productname", "files/sim_milan_v2.bin",
                      file("sim_milan_vcek_productname.der", mint_vcek(s, v)), "PRODUCT_MISMATCH",
                      "VCEK productName Genoa under a Milan chain"));
      }
      {
        VekSpec v = spec;
        v.product_name = "Milan";
        push(sim_case(s, "sim/milan-v2-vcek-no-stepping", "files/sim_milan_v2.bin",
                      file("sim_milan_vcek_no_stepping.der", mint_vcek(s, v)), "VERSION_UNSUPPORTED",
                      "a v2 report needs a VEK productName with a stepping"));
        push(sim_case(s, "sim/milan-v3-vcek-no-stepping", "files/sim_milan_v3.bin",
                      "files/sim_milan_vcek_no_stepping.der", "ACCEPT",
                      "v3 carries CPUID: a bare productName is fine"));
      }
      {
        VekSpec v = spec;
        v.struct_version = 1;
        push(sim_case(s, "sim/milan-vcek-structversion", "files/sim_milan_v3.bin",
                      file("sim_milan_vcek_structversion.der", mint_vcek(s, v)), "PRODUCT_MISMATCH",
                      "structVersion 1 is Turin's"));
      }
      push(sim_case(s, "sim/milan-vcek-not-yet-valid", "files/sim_milan_v3.bin",
                    file("sim_milan_vcek_2030.der", mint_vcek(s, spec, kT2030, kT2031)),
                    "CERT_NOT_VALID_AT_TIME", "VCEK valid from 2030"));
      push(sim_case(s, "sim/milan-vcek-organization", "files/sim_milan_v3.bin",
                    file("sim_milan_vcek_org.der",
                         with_organization(s, mint_vcek(s, spec), "Advanced Micro Devices Inc")),
                    "CHAIN_UNTRUSTED",
                    "VEK subject O must be exactly 'Advanced Micro Devices' (go-sev-guest's rule)"));
      push(sim_case(s, "sim/milan-vcek-resigned-same-names", "files/sim_milan_v3.bin",
                    file("sim_milan_vcek_resigned.der",
                         with_organization(s, mint_vcek(s, spec), "Advanced Micro Devices")),
                    "ACCEPT", "control: the same re-signing with AMD's name is accepted"));
      push(sim_case(s, "sim/milan-vcek-wrong-cn", "files/sim_milan_v3.bin",
                    file("sim_milan_vcek_cn.der", mint_vcek(s, spec, kT2024, kT2031, "SEV-VCEX")),
                    "CHAIN_UNTRUSTED", "VEK common name must be SEV-VCEK or SEV-VLEK"));
      {
        json c = sim_case(s, "sim/milan-tcb-below-min", "files/sim_milan_v3.bin", vcek, "TCB_BELOW_MINIMUM",
                          "ucode 115 < 116");
        c["min_tcb"] = json::array({json{{"product", "Milan"},
                                         {"boot_loader", 3},
                                         {"tee", 0},
                                         {"snp", 8},
                                         {"microcode", 116},
                                         {"fmc", 0}}});
        push(c);
        c = sim_case(s, "sim/milan-tcb-at-min", "files/sim_milan_v3.bin", vcek, "ACCEPT",
                     "exactly the minimum");
        c["min_tcb"] = json::array({json{{"product", "Milan"},
                                         {"boot_loader", 3},
                                         {"tee", 0},
                                         {"snp", 8},
                                         {"microcode", 115},
                                         {"fmc", 0}}});
        push(c);
      }
    }
    if (s.product == Product::kTurin) {
      json c = sim_case(s, "sim/turin-fmc-below-min", "files/sim_turin_v3.bin", vcek, "TCB_BELOW_MINIMUM",
                        "Turin layout: FMC 0 < 1");
      c["min_tcb"] = json::array({json{
          {"product", "Turin"}, {"boot_loader", 0}, {"tee", 0}, {"snp", 0}, {"microcode", 0}, {"fmc", 1}}});
      push(c);
      c = sim_case(s, "sim/turin-snp-below-min", "files/sim_turin_v3.bin", vcek, "TCB_BELOW_MINIMUM",
                   "Turin layout: SNP is byte 3, 8 < 9");
      c["min_tcb"] = json::array({json{
          {"product", "Turin"}, {"boot_loader", 3}, {"tee", 0}, {"snp", 9}, {"microcode", 115}, {"fmc", 0}}});
      push(c);
      c = sim_case(s, "sim/turin-at-min", "files/sim_turin_v3.bin", vcek, "ACCEPT", "Turin at its minimum");
      c["min_tcb"] = json::array({json{
          {"product", "Turin"}, {"boot_loader", 3}, {"tee", 0}, {"snp", 8}, {"microcode", 115}, {"fmc", 0}}});
      push(c);
      VekSpec v = spec_of(s);
      v.hw_id[2] ^= 0x55;
      push(sim_case(s, "sim/turin-vcek-hwid", "files/sim_turin_v3.bin",
                    file("sim_turin_vcek_hwid.der", mint_vcek(s, v)), "VCEK_CHIP_MISMATCH",
                    "Turin hwID is CHIP_ID's first 8 bytes"));
      resigned(
          "chip-id-tail", [](Bytes& r) { r[0x1A0 + 20] = 1; }, "VCEK_CHIP_MISMATCH",
          "Turin CHIP_ID beyond the first 8 bytes must be zero");
    }
    if (s.product == Product::kGenoa) {
      resigned(
          "cpuid-turin",
          [](Bytes& r) {
            r[0x188] = 0x1A;
            r[0x189] = 0x01;
          },
          "PRODUCT_MISMATCH", "Turin CPUID under a Genoa chain");
    }
  }
  // Cross-product: a Genoa report with the simulated Milan VCEK.
  Sim& milan = sims[0];
  json c = sim_case(milan, "sim/genoa-report-milan-vcek", "files/sim_genoa_v3.bin",
                    "files/sim_milan_vcek.der", "PRODUCT_MISMATCH", "Genoa CPUID, (simulated) Milan chain");
  push(c);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: agreement_corpus_gen tests/data/agreement\n");
    return 2;
  }
  g_out = argv[1];
  fs::create_directories(g_out + "/files");
  std::vector<Sim> sims;
  sims.push_back(open_sim("milan", Product::kMilan, 3));
  sims.push_back(open_sim("genoa", Product::kGenoa, 3));
  sims.push_back(open_sim("turin", Product::kTurin, 3));
  sim_cases(sims);
  real_cases(sims[0]);
  json doc = {
      {"format", 1},
      {"comment",
       "Generated by tests/tools/agreement_corpus_gen.cpp; see README.md. Paths are relative to this file."},
      {"base_params",
       {{"allowed_report_versions", {2, 3, 5}},
        {"allowed_products", {"Milan", "Genoa", "Turin"}},
        {"allowed_vmpls", {0}},
        {"allow_smt", true},
        {"allow_vlek", false},
        {"allow_debug", false}}},
      {"default_height", 100},
      {"cases", g_cases}};
  std::ofstream f(g_out + "/cases.json", std::ios::trunc);
  f << doc.dump(1) << "\n";
  std::printf("%zu cases written to %s/cases.json\n", g_cases.size(), g_out.c_str());
  return f ? 0 : 1;
}
