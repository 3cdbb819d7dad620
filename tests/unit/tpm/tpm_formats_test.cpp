// attest/tpm without a TPM: PCR lists, the sealed-blob and quote file formats, TSS2 code mapping, and
// quote verification against a quote made in software (an OpenSSL P-256 key signing a TPMS_ATTEST
// marshalled with tss2-mu), so every verdict code is reachable without swtpm.
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include <cstdlib>
#include <cstring>

#include "attest/ossl.hpp"
#include "attest/tpm/quote.hpp"
#include "attest/tpm/sealed_blob.hpp"
#include "attest/tpm/tpm.hpp"
#include "attest/tpm/tpm_error.hpp"

namespace snprelay::attest::tpm {
namespace {

TEST(PcrList, ParsesSortsAndRejects) {
  auto sel = parse_pcr_list("7, 0,1,7");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->mask, 0x83u);
  EXPECT_EQ(sel->to_string(), "0,1,7");
  EXPECT_EQ(sel->count(), 3u);
  for (const char* bad : {"", "24", "-1", "1,,2", "a", "1;2", "0x1"}) {
    auto r = parse_pcr_list(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "BAD_PCRS") << bad;
  }
  const std::vector<std::int64_t> cfg = {23, 0};
  EXPECT_EQ(pcr_selection(cfg)->mask, 0x800001u);
}

TEST(PcrDigest, MatchesKnownVector) {
  // TPM2_PolicyPCR's pcrDigest: eight zero PCRs hash to SHA-256 of 256 zero bytes.
  std::vector<PcrValue> zeros(8);
  EXPECT_EQ(to_hex(pcr_digest(zeros)), "5341e6b2646979a70e57653007a1f310169421ec9bdd9f1a5648f75ade005af1");
}

TEST(Tss2Codes, MapToStableCodes) {
  EXPECT_EQ(base_tpm_rc(0x99D), 0x09Du);
  EXPECT_EQ(base_tpm_rc(0x1DF), 0x09Fu);
  EXPECT_EQ(base_tpm_rc(0x100), 0x100u);
  EXPECT_EQ(tss2_error("Esys_Unseal", 0x99D).code, "TPM_POLICY_MISMATCH");
  EXPECT_NE(tss2_error("Esys_Unseal", 0x99D).message.find("PCR policy mismatch"), std::string::npos);
  EXPECT_EQ(tss2_error("Esys_Load", 0x1DF).code, "TPM_BLOB_FOREIGN");
  EXPECT_EQ(tss2_error("Esys_Load", 0x0C01DF).code, "TPM_BLOB_FOREIGN");  // via a resource manager
  EXPECT_EQ(tss2_error("Esys_Load", 0x902).code, "TPM_OUT_OF_MEMORY");
  EXPECT_EQ(tss2_error("Tss2_TctiLdr_Initialize", 0xA000A).code, "TPM_UNREACHABLE");
  EXPECT_EQ(tss2_error("Tss2_TctiLdr_Initialize", 0xA0015).code, "TPM_BAD_TCTI");
  const Error other = tss2_error("Esys_Create", 0x2C4);
  EXPECT_EQ(other.code, "TPM_ERROR");
  EXPECT_NE(other.message.find("0x000002c4"), std::string::npos) << other.message;
}

Bytes valid_blob() {
  TPM2B_PUBLIC pub;
  std::memset(&pub, 0, sizeof pub);
  pub.publicArea.type = TPM2_ALG_KEYEDHASH;
  pub.publicArea.nameAlg = TPM2_ALG_SHA256;
  pub.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
  Bytes p(sizeof pub);
  std::size_t off = 0;
  EXPECT_EQ(Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, p.data(), p.size(), &off), TSS2_RC_SUCCESS);
  p.resize(off);
  const Bytes priv = {0x00, 0x04, 1, 2, 3, 4};
  return encode_sealed_blob(SealedBlob{PcrSelection{0x83}, p, priv});
}

TEST(SealedBlob, RoundTripsAndRejectsEachBadField) {
  const Bytes good = valid_blob();
  auto parsed = decode_sealed_blob(good);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->pcrs.mask, 0x83u);
  EXPECT_EQ(encode_sealed_blob(*parsed), good);

  auto expect_bad = [](Bytes b, const std::string& needle) {
    auto r = decode_sealed_blob(b);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.error().code, "BAD_BLOB");
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  Bytes b = good;
  b[0] = 'X';
  expect_bad(b, "magic");
  b = good;
  b[4] = 2;
  expect_bad(b, "version 2");
  b = good;
  b[5] = 9;
  expect_bad(b, "template");
  b = good;
  b[7] = 0x04;  // sha1
  expect_bad(b, "bank");
  b = good;
  std::memset(b.data() + 8, 0, 4);
  expect_bad(b, "mask");
  b = good;
  b.push_back(0);
  expect_bad(b, "unexpected bytes");
  expect_bad(Bytes(good.begin(), good.end() - 1), "private area");
  expect_bad(Bytes(good.begin(), good.begin() + 5), "truncated");
}

// A software "TPM": an EC key that signs a TPMS_ATTEST quote like a TPM's AK would.
struct SoftQuote {
  EvpPkeyPtr key{EVP_EC_gen("P-256")};
  std::string pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PUBKEY(bio.get(), key.get());
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
  }
  Quote make(std::span<const std::uint8_t> nonce, const std::vector<PcrValue>& values, PcrSelection sel,
             std::uint32_t magic = TPM2_GENERATED_VALUE) const {
    TPMS_ATTEST a;
    std::memset(&a, 0, sizeof a);
    a.magic = magic;
    a.type = TPM2_ST_ATTEST_QUOTE;
    a.extraData.size = static_cast<UINT16>(nonce.size());
    std::memcpy(a.extraData.buffer, nonce.data(), nonce.size());
    a.clockInfo.clock = 1234;
    a.clockInfo.resetCount = 5;
    a.attested.quote.pcrSelect.count = 1;
    a.attested.quote.pcrSelect.pcrSelections[0].hash = TPM2_ALG_SHA256;
    a.attested.quote.pcrSelect.pcrSelections[0].sizeofSelect = 3;
    for (unsigned i = 0; i < 3; ++i)
      a.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[i] =
          static_cast<std::uint8_t>(sel.mask >> (8 * i));
    const auto d = pcr_digest(values);
    a.attested.quote.pcrDigest.size = 32;
    std::memcpy(a.attested.quote.pcrDigest.buffer, d.data(), 32);
    Quote q;
    q.attest.resize(sizeof a);
    std::size_t off = 0;
    EXPECT_EQ(Tss2_MU_TPMS_ATTEST_Marshal(&a, q.attest.data(), q.attest.size(), &off), TSS2_RC_SUCCESS);
    q.attest.resize(off);

    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t der_len = 80;
    std::vector<unsigned char> der(der_len);
    EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()), 1);
    EXPECT_EQ(EVP_DigestSign(ctx.get(), der.data(), &der_len, q.attest.data(), q.attest.size()), 1);
    const unsigned char* p = der.data();
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
    TPMT_SIGNATURE t;
    std::memset(&t, 0, sizeof t);
    t.sigAlg = TPM2_ALG_ECDSA;
    t.signature.ecdsa.hash = TPM2_ALG_SHA256;
    t.signature.ecdsa.signatureR.size = 32;
    t.signature.ecdsa.signatureS.size = 32;
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), t.signature.ecdsa.signatureR.buffer, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), t.signature.ecdsa.signatureS.buffer, 32);
    q.signature.resize(sizeof t);
    off = 0;
    EXPECT_EQ(Tss2_MU_TPMT_SIGNATURE_Marshal(&t, q.signature.data(), q.signature.size(), &off),
              TSS2_RC_SUCCESS);
    q.signature.resize(off);
    q.pcrs = sel;
    q.pcr_values = values;
    return q;
  }
};

std::vector<std::string> codes(const QuoteVerdict& v) {
  std::vector<std::string> out;
  for (const auto& f : v.failures)
    out.emplace_back(quote_failure_name(f.code));
  return out;
}

TEST(QuoteVerify, SoftwareQuoteVerdicts) {
  SoftQuote soft;
  const Bytes report(1184, 7);
  const auto nonce = report_nonce(report);
  std::vector<PcrValue> values(2);
  values[1].fill(0xAB);
  const Quote q = soft.make(nonce, values, PcrSelection{0x81});

  auto round = decode_quote(encode_quote(q));
  ASSERT_TRUE(round.ok()) << round.error().to_string();
  auto v = verify_quote(*round, nonce, soft.pem());
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->accepted()) << codes(*v).front();
  EXPECT_EQ(v->clock_ms, 1234u);
  EXPECT_EQ(v->reset_count, 5u);

  const Bytes other(32, 0);
  EXPECT_EQ(codes(*verify_quote(q, other, soft.pem())), std::vector<std::string>{"NONCE_MISMATCH"});

  Quote sel = q;
  sel.pcrs = PcrSelection{0x03};
  EXPECT_EQ(codes(*verify_quote(sel, nonce, soft.pem())), std::vector<std::string>{"PCR_SELECTION_MISMATCH"});

  const Quote fake = soft.make(nonce, values, PcrSelection{0x81}, 0x12345678);
  EXPECT_EQ(codes(*verify_quote(fake, nonce, soft.pem())), std::vector<std::string>{"BAD_MAGIC"});

  Quote flipped = q;
  flipped.attest.back() ^= 1;  // last byte of the signed PCR digest
  const auto flipped_codes = codes(*verify_quote(flipped, nonce, soft.pem()));
  EXPECT_EQ(flipped_codes, (std::vector<std::string>{"PCR_DIGEST_MISMATCH", "SIGNATURE_INVALID"}));

  Quote cut = q;
  cut.attest.pop_back();
  EXPECT_EQ(codes(*verify_quote(cut, nonce, soft.pem())),
            (std::vector<std::string>{"ATTEST_MALFORMED", "SIGNATURE_INVALID"}));

  Quote sha384 = q;
  sha384.signature[3] = 0x0C;  // ECDSA with SHA-384
  EXPECT_EQ(codes(*verify_quote(sha384, nonce, soft.pem())), std::vector<std::string>{"SIGNATURE_ALGORITHM"});
  Quote garbled = q;
  garbled.signature.pop_back();
  EXPECT_EQ(codes(*verify_quote(garbled, nonce, soft.pem())),
            std::vector<std::string>{"SIGNATURE_MALFORMED"});

  SoftQuote stranger;
  EXPECT_EQ(codes(*verify_quote(q, nonce, stranger.pem())), std::vector<std::string>{"SIGNATURE_INVALID"});

  auto not_pem = verify_quote(q, nonce, "hello");
  ASSERT_FALSE(not_pem.ok());
  EXPECT_EQ(not_pem.error().code, "BAD_AK_KEY");
  EvpPkeyPtr p384(EVP_EC_gen("P-384"));
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), p384.get());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  auto wrong_curve = verify_quote(q, nonce, std::string(data, static_cast<std::size_t>(n)));
  ASSERT_FALSE(wrong_curve.ok());
  EXPECT_EQ(wrong_curve.error().code, "BAD_AK_KEY");
}

TEST(QuoteFile, RejectsEachBadField) {
  SoftQuote soft;
  const Bytes nonce(32, 1);
  const Bytes good = encode_quote(soft.make(nonce, std::vector<PcrValue>(1), PcrSelection{0x1}));
  auto expect_bad = [](Bytes b, const std::string& needle) {
    auto r = decode_quote(b);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.error().code, "BAD_QUOTE_FILE");
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  Bytes b = good;
  b[3] = 'X';
  expect_bad(b, "magic");
  b = good;
  b[4] = 7;
  expect_bad(b, "version 7");
  b = good;
  b.push_back(1);
  expect_bad(b, "unexpected bytes");
  expect_bad(Bytes(good.begin(), good.end() - 1), "truncated PCR values");
  b = good;
  b[b.size() - 33] = 2;  // count byte
  expect_bad(b, "count");
  expect_bad(Bytes(good.begin(), good.begin() + 3), "truncated header");
}

// Issue 11: the TSS2_LOG guard lived in a CLI handler, so a daemon calling Tpm::open directly let ESYS
// log command parameters (secrets in the clear) at debug level. Tpm::open now caps it itself, before
// any TSS call — even one that fails at once.
TEST(TpmOpen, CapsEsysLoggingForEveryCallerNotOnlyTheCli) {
  const char* saved = std::getenv("TSS2_LOG");
  const std::string restore = saved != nullptr ? saved : "";
  ::unsetenv("TSS2_LOG");
  auto none = Tpm::open("");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, ErrorKind::kInput);
  EXPECT_STREQ(std::getenv("TSS2_LOG"), "all+none");
  ::setenv("TSS2_LOG", "all+trace", 1);
  (void)Tpm::open("");
  EXPECT_STREQ(std::getenv("TSS2_LOG"), "all+trace,esys+warning,esys_crypto+warning");
  (void)Tpm::open("");  // idempotent: capped once
  EXPECT_STREQ(std::getenv("TSS2_LOG"), "all+trace,esys+warning,esys_crypto+warning");
  if (saved != nullptr)
    ::setenv("TSS2_LOG", restore.c_str(), 1);
  else
    ::unsetenv("TSS2_LOG");
}

}  // namespace
}  // namespace snprelay::attest::tpm
