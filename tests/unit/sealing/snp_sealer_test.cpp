// attest::SnpDerivedSealer against the simulated firmware: round trips, a different measurement,
// policy, chip or TCB, the envelope format (every flipped byte, every truncation), the field-name
// helpers, errors from the evidence source, and that no secret or key reaches the envelope.
#include "attest/sealing/snp_sealer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "../temp_dir.hpp"
#include "attest/sealing/hkdf.hpp"
#include "attest/sim/sim_firmware.hpp"
#include "attest/tcb.hpp"

namespace snprelay::attest {
namespace {

namespace fs = std::filesystem;

SecretBytes test_secret(std::size_t n = 32) {
  SecretBytes s(n);
  for (std::size_t i = 0; i < n; ++i)
    s.data()[i] = static_cast<std::uint8_t>(0xA0 + (i * 13) % 83);
  return s;
}

bool contains(std::span<const std::uint8_t> hay, std::span<const std::uint8_t> needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

DerivedKeyRequest request(std::uint64_t fields = kFieldMeasurement | kFieldPolicy) {
  DerivedKeyRequest r;
  r.field_select = fields;
  return r;
}

// An evidence source whose answers the test sets; counts the calls.
class FakeSource final : public EvidenceSource {
 public:
  Result<Evidence> get_report(std::span<const std::uint8_t, 64> /*report_data*/,
                              std::uint32_t /*vmpl*/) override {
    ++reports;
    return report_error;
  }
  Result<SecretBytes> derive_key(const DerivedKeyRequest& /*request*/) override {
    ++derives;
    if (derive_error)
      return *derive_error;
    return SecretBytes(Bytes(32, 0x42));
  }
  SourceInfo describe() const override { return {"fake", "", true}; }

  Error report_error = make_error("attest", "DEVICE_MISSING", "/dev/sev-guest does not exist");
  std::optional<Error> derive_error;
  int reports = 0;
  int derives = 0;
};

class SnpSealerTest : public ::testing::Test {
 protected:
  // One state directory for the suite, seeded with the fixed look-alike RSA keys so no RSA-4096 key
  // is generated. Opening it again with other settings is the same chip running another guest.
  static void SetUpTestSuite() {
    root_ = new testing::TempDir();
    chip_a_ = seeded(root_->file("chip-a"));
  }
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }
  static std::string seeded(const std::string& dir) {
    fs::create_directories(dir);
    const std::string keys = std::string(SNPRELAY_TEST_DATA) + "/snp/lookalike/";
    fs::copy_file(keys + "ark_key.pem", dir + "/ark.key");
    fs::copy_file(keys + "ask_key.pem", dir + "/ask.key");
    return dir;
  }

  static std::shared_ptr<SimFirmware> firmware(SimSettings s = {}, const std::string& dir = chip_a_) {
    auto fw = SimFirmware::open(dir, s);
    EXPECT_TRUE(fw.ok()) << fw.error().to_string();
    return fw.ok() ? *fw : nullptr;
  }
  static SnpDerivedSealer sealer(SimSettings s = {}, DerivedKeyRequest r = request()) {
    return SnpDerivedSealer(make_simulated_source(firmware(s)), r);
  }
  static Bytes seal_ok(SnpDerivedSealer& s, const SecretBytes& secret = test_secret()) {
    auto env = s.seal(secret);
    EXPECT_TRUE(env.ok()) << env.error().to_string();
    return env.ok() ? *env : Bytes{};
  }

  static testing::TempDir* root_;
  static std::string chip_a_;
};

testing::TempDir* SnpSealerTest::root_ = nullptr;
std::string SnpSealerTest::chip_a_;

TEST_F(SnpSealerTest, ModeIsSnpDerived) {
  EXPECT_EQ(sealer().mode(), "snp-derived");
}

TEST_F(SnpSealerTest, RoundTripWithSameMeasurementAndPolicy) {
  for (std::size_t n : {std::size_t{1}, std::size_t{32}, kSnpMaxSealedSecret}) {
    auto s = sealer();
    const Bytes env = seal_ok(s, test_secret(n));
    EXPECT_EQ(env.size(), kSnpEnvelopeHeaderSize + n + kSnpEnvelopeTagSize);
    // A new firmware object on the same state (a reboot) with another sealing template: the envelope
    // alone says how to re-derive.
    auto other = sealer({}, request(kSealAllowedFields));
    auto back = other.unseal(env);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_TRUE(back->equals(test_secret(n)));
  }
}

TEST_F(SnpSealerTest, SealingTwiceGivesDifferentEnvelopes) {
  auto s = sealer();
  const Bytes a = seal_ok(s);
  const Bytes b = seal_ok(s);
  EXPECT_NE(a, b);  // fresh salt and nonce each time
  auto da = decode_snp_envelope(a);
  auto db = decode_snp_envelope(b);
  ASSERT_TRUE(da.ok() && db.ok());
  EXPECT_NE(da->salt, db->salt);
  EXPECT_NE(da->nonce, db->nonce);
}

TEST_F(SnpSealerTest, SecretSizeLimits) {
  FakeSource* fake = nullptr;
  auto src = std::make_shared<FakeSource>();
  fake = src.get();
  SnpDerivedSealer s(src, request());
  for (std::size_t n : {std::size_t{0}, kSnpMaxSealedSecret + 1}) {
    auto r = s.seal(test_secret(n));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().component, "attest");
    EXPECT_EQ(r.error().code, "BAD_SECRET");
  }
  EXPECT_EQ(fake->derives, 0);
}

TEST_F(SnpSealerTest, DifferentMeasurementFailsWithKeyMismatch) {
  auto s = sealer();
  const Bytes env = seal_ok(s);
  SimSettings other;
  other.measurement[0] ^= 0x01;
  auto r = sealer(other).unseal(env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().component, "attest");
  EXPECT_EQ(r.error().code, "SNP_KEY_MISMATCH");
  EXPECT_TRUE(has(r.error().message, "does not open this envelope")) << r.error().message;
  EXPECT_TRUE(has(r.error().message, "fields selected: measurement,policy;")) << r.error().message;
}

TEST_F(SnpSealerTest, DifferentPolicyFailsWithKeyMismatch) {
  auto s = sealer();
  const Bytes env = seal_ok(s);
  SimSettings other;
  other.policy = 0x30000 | (1U << 19);  // debug allowed
  auto r = sealer(other).unseal(env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "SNP_KEY_MISMATCH");
}

TEST_F(SnpSealerTest, AnotherChipFailsWithKeyMismatch) {
  auto s = sealer();
  const Bytes env = seal_ok(s);
  const std::string chip_b = root_->file("chip-b");
  if (!fs::exists(chip_b))
    seeded(chip_b);
  auto r = SnpDerivedSealer(make_simulated_source(firmware({}, chip_b)), request()).unseal(env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "SNP_KEY_MISMATCH");
  EXPECT_TRUE(has(r.error().message, "another chip")) << r.error().message;
}

TEST_F(SnpSealerTest, SelectedFamilyImageAndSvnMustMatch) {
  SimSettings launched;
  launched.guest_svn = 2;
  launched.image_id[0] = 7;
  DerivedKeyRequest r = request(kFieldMeasurement | kFieldPolicy | kFieldImageId | kFieldGuestSvn);
  r.guest_svn = 2;
  auto s = sealer(launched, r);
  const Bytes env = seal_ok(s);
  auto decoded = decode_snp_envelope(env);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->request.guest_svn, 2u);
  ASSERT_TRUE(sealer(launched).unseal(env).ok());

  SimSettings other_image = launched;
  other_image.image_id[0] = 8;
  auto mismatch = sealer(other_image).unseal(env);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, "SNP_KEY_MISMATCH");
  EXPECT_TRUE(has(mismatch.error().message, "measurement,policy,svn=2,image-id")) << mismatch.error().message;

  // A guest launched with a lower SVN: the firmware refuses the recorded SVN.
  SimSettings older = launched;
  older.guest_svn = 1;
  auto refused = sealer(older).unseal(env);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "FIRMWARE_ERROR");
}

TEST_F(SnpSealerTest, UnselectedSvnAndTcbAreRecordedAsZero) {
  DerivedKeyRequest r = request();
  r.guest_svn = 5;
  r.tcb_version = 0x1234;
  auto s = sealer({}, r);
  auto decoded = decode_snp_envelope(seal_ok(s));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->request.guest_svn, 0u);
  EXPECT_EQ(decoded->request.tcb_version, 0u);
}

TEST_F(SnpSealerTest, TcbSelectedRecordsCommittedTcb) {
  const std::uint64_t committed = encode_tcb(SimSettings::default_tcb(Product::kMilan), Product::kMilan);
  auto s = sealer({}, request(kFieldMeasurement | kFieldPolicy | kFieldTcbVersion));
  const Bytes env = seal_ok(s);
  auto decoded = decode_snp_envelope(env);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->request.field_select, kFieldMeasurement | kFieldPolicy | kFieldTcbVersion);
  EXPECT_EQ(decoded->request.tcb_version, committed);
  // Big-endian at offset 24.
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(env[24 + static_cast<std::size_t>(i)], static_cast<std::uint8_t>(committed >> (56 - 8 * i)));
  ASSERT_TRUE(sealer().unseal(env).ok());
}

TEST_F(SnpSealerTest, ExplicitTcbIsUsedWithoutAReport) {
  auto src = std::make_shared<FakeSource>();
  DerivedKeyRequest r = request(kFieldMeasurement | kFieldPolicy | kFieldTcbVersion);
  r.tcb_version = 0x7308000000000003;
  SnpDerivedSealer s(src, r);
  auto env = s.seal(test_secret());
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  EXPECT_EQ(src->reports, 0);
  auto decoded = decode_snp_envelope(*env);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->request.tcb_version, 0x7308000000000003u);
}

TEST_F(SnpSealerTest, ReportErrorWhileReadingTcbPassesThrough) {
  auto src = std::make_shared<FakeSource>();
  SnpDerivedSealer s(src, request(kFieldMeasurement | kFieldPolicy | kFieldTcbVersion));
  auto env = s.seal(test_secret());
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().code, "DEVICE_MISSING");
  EXPECT_TRUE(has(env.error().message, "COMMITTED_TCB")) << env.error().message;
  EXPECT_TRUE(has(env.error().message, "/dev/sev-guest does not exist")) << env.error().message;
  EXPECT_EQ(src->derives, 0);
}

TEST_F(SnpSealerTest, TcbDowngradeIsRefusedAndUpgradeStillOpens) {
  auto s = sealer({}, request(kFieldMeasurement | kFieldPolicy | kFieldTcbVersion));
  const Bytes env = seal_ok(s);

  // Firmware rolled back below the recorded TCB: the firmware refuses TCB_VERSION > COMMITTED_TCB.
  SimSettings lower;
  lower.tcb.snp = 7;
  auto r = sealer(lower).unseal(env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().component, "attest");
  EXPECT_EQ(r.error().code, "FIRMWARE_ERROR");
  EXPECT_TRUE(has(r.error().message, "re-deriving the key of an snp-derived envelope")) << r.error().message;
  EXPECT_TRUE(has(r.error().message, "TCB_VERSION exceeds the committed TCB")) << r.error().message;

  // Firmware updated: it still derives the key of the older, recorded TCB.
  SimSettings higher;
  higher.tcb.snp = 9;
  auto opened = sealer(higher).unseal(env);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_TRUE(opened->equals(test_secret()));

  // A seal on the updated firmware records its TCB and does not open on the old one.
  auto updated = sealer(higher, request(kFieldMeasurement | kFieldPolicy | kFieldTcbVersion));
  const Bytes newer = seal_ok(updated);
  auto old_fw = sealer().unseal(newer);
  ASSERT_FALSE(old_fw.ok());
  EXPECT_EQ(old_fw.error().code, "FIRMWARE_ERROR");
}

TEST_F(SnpSealerTest, VmrkWithoutMigrationAgentIsRefusedByFirmware) {
  DerivedKeyRequest r = request();
  r.root = RootKey::kVmrk;
  auto s = sealer({}, r);
  auto env = s.seal(test_secret());
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().code, "FIRMWARE_ERROR");
  EXPECT_TRUE(has(env.error().message, "INVALID_KEY")) << env.error().message;
}

TEST_F(SnpSealerTest, BadFieldSelectionsAreRefusedBeforeDeriving) {
  auto src = std::make_shared<FakeSource>();
  const std::uint64_t bad[] = {kFieldPolicy,
                               kFieldMeasurement,
                               kFieldPolicy | kFieldTcbVersion,
                               0,
                               kSealRequiredFields | (std::uint64_t{1} << 6),
                               kSealRequiredFields | (std::uint64_t{1} << 63)};
  for (std::uint64_t fields : bad) {
    SnpDerivedSealer s(src, request(fields));
    auto r = s.seal(test_secret());
    ASSERT_FALSE(r.ok()) << fields;
    EXPECT_EQ(r.error().code, "BAD_FIELDS") << fields;
  }
  auto measurement_less = SnpDerivedSealer(src, request(kFieldPolicy)).seal(test_secret());
  ASSERT_FALSE(measurement_less.ok());
  EXPECT_TRUE(has(measurement_less.error().message, "must select measurement and policy"))
      << measurement_less.error().message;
  DerivedKeyRequest vmpl4 = request();
  vmpl4.vmpl = 4;
  auto high = SnpDerivedSealer(src, vmpl4).seal(test_secret());
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.error().code, "BAD_FIELDS");
  EXPECT_EQ(src->derives, 0);
  EXPECT_TRUE(check_sealing_request(request(kSealAllowedFields)).ok());
}

TEST_F(SnpSealerTest, UnsupportedSourceGivesClearError) {
  auto src = std::make_shared<FakeSource>();
  src->derive_error = make_error("attest", "UNSUPPORTED",
                                 "configfs-tsm has no derived-key interface (/sys/kernel/config/tsm)");
  SnpDerivedSealer s(src, request());
  auto sealed = s.seal(test_secret());
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().component, "attest");
  EXPECT_EQ(sealed.error().code, "UNSUPPORTED");
  EXPECT_TRUE(has(sealed.error().message, "deriving the snp-derived sealing key")) << sealed.error().message;
  EXPECT_TRUE(has(sealed.error().message, "configfs-tsm has no derived-key interface"))
      << sealed.error().message;
  EXPECT_TRUE(has(sealed.error().message, "\"tpm\" or \"passphrase\"")) << sealed.error().message;

  // An envelope made elsewhere cannot be opened here either, with the same code.
  auto good = sealer();
  auto opened = s.unseal(seal_ok(good));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "UNSUPPORTED");
}

TEST_F(SnpSealerTest, NeitherSecretNorKeysAppearInTheEnvelope) {
  auto fw = firmware();
  SnpDerivedSealer s(make_simulated_source(fw), request());
  const SecretBytes secret = test_secret(48);
  const Bytes env = seal_ok(s, secret);
  EXPECT_FALSE(contains(env, secret.view()));
  EXPECT_FALSE(contains(env, secret.view().first(8)));
  auto derived = fw->derive_key(request());
  ASSERT_TRUE(derived.ok());
  EXPECT_FALSE(contains(env, derived->view().first(8)));
  auto decoded = decode_snp_envelope(env);
  ASSERT_TRUE(decoded.ok());
  const std::string_view info = "snprelay/snp-sealed/v1";
  auto kek = hkdf_sha256(derived->view(), decoded->salt,
                         std::span(reinterpret_cast<const std::uint8_t*>(info.data()), info.size()), 32);
  ASSERT_TRUE(kek.ok());
  EXPECT_FALSE(contains(env, kek->view().first(8)));
}

// Every byte flipped (two ways): the envelope never opens; header fields the parser checks give
// BAD_ENVELOPE, the rest make the firmware derive another key or refuse the request.
TEST_F(SnpSealerTest, EveryFlippedByteFails) {
  for (std::uint64_t fields : {kSealRequiredFields, kSealAllowedFields}) {
    auto s = sealer({}, request(fields));
    const Bytes env = seal_ok(s);
    ASSERT_FALSE(env.empty());
    for (std::size_t i = 0; i < env.size(); ++i) {
      for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
        Bytes bad = env;
        bad[i] ^= mask;
        auto r = s.unseal(bad);
        ASSERT_FALSE(r.ok()) << "byte " << i << " mask " << int(mask);
        const std::string& code = r.error().code;
        EXPECT_TRUE(code == "BAD_ENVELOPE" || code == "SNP_KEY_MISMATCH" || code == "FIRMWARE_ERROR")
            << "byte " << i << ": " << r.error().to_string();
        const bool length_field = i == 76 || i == 77;
        // Magic, version, reserved bytes and length are checked by the parser (the root key byte
        // may become a valid VMRK, which the firmware then refuses).
        if (i < 8 && i != 5) {
          EXPECT_EQ(code, "BAD_ENVELOPE") << "byte " << i << ": " << r.error().to_string();
        }
        if (length_field) {
          EXPECT_EQ(code, "BAD_ENVELOPE") << "byte " << i << ": " << r.error().to_string();
        }
        // Salt, nonce, ciphertext and tag: only the cryptography notices.
        if (i >= 32 && !length_field) {
          EXPECT_EQ(code, "SNP_KEY_MISMATCH") << "byte " << i << ": " << r.error().to_string();
        }
      }
    }
  }
}

TEST_F(SnpSealerTest, TruncationAtEveryLengthIsBadEnvelope) {
  auto s = sealer();
  const Bytes env = seal_ok(s);
  for (std::size_t n = 0; n < env.size(); ++n) {
    auto r = s.unseal(std::span(env).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, "BAD_ENVELOPE") << n;
  }
}

TEST_F(SnpSealerTest, TrailingByteIsBadEnvelope) {
  auto s = sealer();
  Bytes env = seal_ok(s);
  env.push_back(0);
  auto r = s.unseal(env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BAD_ENVELOPE");
  EXPECT_TRUE(has(r.error().message, "1 trailing bytes")) << r.error().message;
}

TEST(SnpEnvelopeFormat, EncodeDecodeRoundTripAndLayout) {
  SnpEnvelope e;
  e.request = request(kSealAllowedFields);
  e.request.root = RootKey::kVmrk;
  e.request.vmpl = 2;
  e.request.guest_svn = 0x01020304;
  e.request.tcb_version = 0x1122334455667788;
  e.salt.fill(0x5A);
  e.nonce.fill(0x6B);
  e.ciphertext = Bytes(5, 0x7C);
  e.tag.fill(0x8D);
  const Bytes bytes = encode_snp_envelope(e);
  ASSERT_EQ(bytes.size(), kSnpEnvelopeHeaderSize + 5 + kSnpEnvelopeTagSize);
  EXPECT_EQ(to_hex(std::span(bytes).first(32)),
            "53525344"            // magic
            "01"                  // version
            "01"                  // root VMRK
            "0000"                // reserved
            "000000000000003f"    // field select
            "00000002"            // VMPL
            "01020304"            // guest SVN
            "1122334455667788");  // TCB
  EXPECT_EQ(bytes[76], 0);
  EXPECT_EQ(bytes[77], 5);
  auto d = decode_snp_envelope(bytes);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(encode_snp_envelope(*d), bytes);
  EXPECT_EQ(d->request.root, RootKey::kVmrk);
  EXPECT_EQ(d->request.vmpl, 2u);
  EXPECT_EQ(d->ciphertext, e.ciphertext);
  EXPECT_EQ(d->tag, e.tag);
}

TEST(SnpEnvelopeFormat, MalformedFieldsAreNamed) {
  SnpEnvelope e;
  e.ciphertext = Bytes(4, 1);
  const Bytes good = encode_snp_envelope(e);
  ASSERT_TRUE(decode_snp_envelope(good).ok());
  struct Case {
    std::size_t offset;
    std::uint8_t value;
    const char* says;
  };
  for (const Case& c :
       {Case{0, 'X', "bad magic"}, Case{4, 2, "unknown format version 2"}, Case{5, 2, "unknown root key 2"},
        Case{7, 1, "reserved bytes"}, Case{8, 0x80, "reserved bits"},
        Case{15, 0x01, "lacks measurement or policy"}, Case{19, 4, "VMPL 4"},
        Case{23, 1, "guest SVN is set but not selected"}, Case{31, 1, "TCB version is set but not selected"},
        Case{77, 0, "length 0"}, Case{77, 5, "truncated"}, Case{77, 3, "trailing"}}) {
    Bytes bad = good;
    bad[c.offset] = c.value;
    auto r = decode_snp_envelope(bad);
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_EQ(r.error().component, "attest");
    EXPECT_EQ(r.error().code, "BAD_ENVELOPE");
    EXPECT_TRUE(has(r.error().message, c.says)) << r.error().message;
  }
  Bytes long_length = good;
  long_length[76] = 0;
  long_length[77] = 129;
  auto r = decode_snp_envelope(long_length);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.error().message, "outside 1..128")) << r.error().message;
  EXPECT_FALSE(decode_snp_envelope(Bytes{}).ok());
}

TEST(SnpFieldNames, NamesInFixedOrder) {
  EXPECT_EQ(field_names(kFieldMeasurement | kFieldPolicy | kFieldTcbVersion), "measurement,policy,tcb");
  EXPECT_EQ(field_names(kSealAllowedFields), "measurement,policy,tcb,svn,family-id,image-id");
  EXPECT_EQ(field_names(kFieldPolicy | (std::uint64_t{1} << 6) | (std::uint64_t{1} << 63)),
            "policy,bit6,bit63");
  EXPECT_EQ(field_names(0), "");
}

TEST(SnpFieldNames, ParsesLists) {
  auto a = parse_field_names("measurement,policy,tcb");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, kFieldMeasurement | kFieldPolicy | kFieldTcbVersion);
  auto b = parse_field_names(" policy , measurement,svn,family-id,image-id,policy ");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, kFieldMeasurement | kFieldPolicy | kFieldGuestSvn | kFieldFamilyId | kFieldImageId);
  for (std::uint64_t bits : {kSealAllowedFields, kSealRequiredFields, std::uint64_t{kFieldTcbVersion}}) {
    auto back = parse_field_names(field_names(bits));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, bits);
  }
  for (const char* bad : {"", "measurement,,policy", "measurement,host-data", "Measurement", "policy,"}) {
    auto r = parse_field_names(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "BAD_FIELDS") << bad;
    EXPECT_TRUE(has(r.error().message, "known: measurement, policy, tcb, svn, family-id, image-id"));
  }
  auto unknown = parse_field_names("measurement,host-data");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(has(unknown.error().message, "unknown field \"host-data\"")) << unknown.error().message;
}

// RFC 5869 appendix A, test cases 1 and 3.
TEST(Hkdf, Rfc5869Vectors) {
  const Bytes ikm(22, 0x0b);
  auto salt = from_hex("000102030405060708090a0b0c");
  auto info = from_hex("f0f1f2f3f4f5f6f7f8f9");
  ASSERT_TRUE(salt.ok() && info.ok());
  auto okm = hkdf_sha256(ikm, *salt, *info, 42);
  ASSERT_TRUE(okm.ok()) << okm.error().to_string();
  EXPECT_EQ(to_hex(okm->view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  auto no_salt = hkdf_sha256(ikm, {}, {}, 42);
  ASSERT_TRUE(no_salt.ok()) << no_salt.error().to_string();
  EXPECT_EQ(to_hex(no_salt->view()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  EXPECT_FALSE(hkdf_sha256({}, *salt, *info, 32).ok());
  EXPECT_FALSE(hkdf_sha256(ikm, *salt, *info, 0).ok());
  EXPECT_FALSE(hkdf_sha256(ikm, *salt, *info, 255 * 32 + 1).ok());
}

}  // namespace
}  // namespace snprelay::attest
