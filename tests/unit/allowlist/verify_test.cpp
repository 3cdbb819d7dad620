// Threshold signatures and version chaining (verify.hpp), each refusal by its code and message.
#include "allowlist/verify.hpp"

#include <gtest/gtest.h>

#include "tests/unit/allowlist/fixtures.hpp"

namespace snprelay::allowlist {
namespace {

using namespace testing;

TEST(AllowlistSignatures, ThresholdTable) {
  const SignerSet set = gov_set(2);
  const Bytes b = encode_update(update(1, {}, {entry(1)}));
  const Bytes other = encode_update(update(1, {}, {entry(2)}));
  Signature forged = sign(b, 0);
  forged.signature[10] ^= 0x01;
  Signature high = sign(b, 0);
  high.signature = high_s(high.signature);
  Signature wrong_update = sign(other, 0);
  Signature short_sig = sign(b, 0);
  short_sig.signature.pop_back();
  Signature stranger = sign(b, 0);
  stranger.key_id = "gov-9";
  struct Case {
    const char* name;
    std::vector<Signature> sigs;
    const char* code;    // "" = accepted
    const char* needle;  // in the message
  };
  const Case cases[] = {
      {"two of three", {sign(b, 0), sign(b, 2)}, "", ""},
      {"all three", {sign(b, 2), sign(b, 1), sign(b, 0)}, "", ""},
      {"below threshold", {sign(b, 1)}, "BELOW_THRESHOLD", "1 of 2 required signatures"},
      {"no signatures", {}, "BELOW_THRESHOLD", "0 of 2 required signatures"},
      {"duplicate signer", {sign(b, 1), sign(b, 1)}, "BELOW_THRESHOLD", "signed more than once"},
      {"forged", {forged, sign(b, 1)}, "BELOW_THRESHOLD", "gov-0 does not verify"},
      {"high-S", {high, sign(b, 1)}, "BELOW_THRESHOLD", "low-S"},
      {"signature of other bytes", {wrong_update, sign(b, 1)}, "BELOW_THRESHOLD", "1 of 2"},
      {"63-byte signature", {short_sig, sign(b, 1)}, "BELOW_THRESHOLD", "1 of 2"},
      {"unknown key id", {sign(b, 0), sign(b, 1), stranger}, "UNKNOWN_SIGNER", "\"gov-9\""},
  };
  for (const auto& c : cases) {
    auto r = check_signatures(b, c.sigs, set);
    if (std::string(c.code).empty()) {
      ASSERT_TRUE(r.ok()) << c.name << ": " << r.error().to_string();
      EXPECT_EQ(r->size(), c.sigs.size()) << c.name;
      continue;
    }
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name;
    EXPECT_EQ(r.error().kind, ErrorKind::kRejected) << c.name;
    EXPECT_NE(r.error().message.find(c.needle), std::string::npos) << c.name << ": " << r.error().message;
  }
  // The high-S twin really is the same signature mirrored: the low-S one verifies.
  EXPECT_TRUE(chain::crypto::verify_digest(gov_key(0).pubkey, signing_digest(b), sign(b, 0).signature));
}

TEST(AllowlistSignatures, SignerSetValidation) {
  struct Case {
    const char* name;
    SignerSet set;
  };
  SignerSet dup = gov_set();
  dup.signers[1].key_id = dup.signers[0].key_id;
  SignerSet empty_id = gov_set();
  empty_id.signers[2].key_id.clear();
  SignerSet short_key = gov_set();
  short_key.signers[0].pubkey.pop_back();
  SignerSet off_curve = gov_set();
  off_curve.signers[0].pubkey = Bytes(33, 0);
  off_curve.signers[0].pubkey[0] = 2;
  off_curve.signers[0].pubkey[32] = 5;  // x = 5 is not on secp256k1
  const Case bad[] = {{"threshold 0", gov_set(0)},   {"threshold above size", gov_set(4)},
                      {"duplicate key id", dup},     {"empty key id", empty_id},
                      {"32-byte pubkey", short_key}, {"not a curve point", off_curve}};
  for (const auto& c : bad) {
    auto st = validate_signer_set(c.set);
    ASSERT_FALSE(st.ok()) << c.name;
    EXPECT_EQ(st.error().code, "BAD_SIGNER_SET") << c.name;
  }
  EXPECT_TRUE(validate_signer_set(gov_set(3)).ok());
}

TEST(AllowlistVerifyRecord, ChainRules) {
  const SignerSet set = gov_set();
  const auto v = chain_of(3);
  const ChainTip at1{1, update_hash(v[0].update_bytes)};
  const ChainTip at2{2, update_hash(v[1].update_bytes)};
  auto ctx = [&](ChainTip tip, std::string chain = kChainId) {
    return VerifyContext{std::move(chain), tip, &set};
  };

  ASSERT_TRUE(verify_record(v[0], ctx({})).ok());
  ASSERT_TRUE(verify_record(v[1], ctx(at1)).ok());

  Update wrong_chain = update(2, v[0].update_bytes);
  wrong_chain.chain_id = "other-chain";
  Update bad_prev = update(2, v[1].update_bytes);
  Update expired = update(2, v[0].update_bytes);
  expired.valid_until_height = 15;
  Update not_expired = expired;
  not_expired.valid_until_height = 20;
  UpdateRecord mislabelled = v[1];
  mislabelled.version = 7;
  struct Case {
    const char* name;
    UpdateRecord rec;
    ChainTip tip;
    const char* code;
  };
  const Case cases[] = {
      {"wrong chain", record(wrong_chain, {0, 1}, 20), at1, "WRONG_CHAIN"},
      {"rollback to the tip", v[1], at2, "ROLLBACK"},
      {"rollback below the tip", v[0], at2, "ROLLBACK"},
      {"gap", v[2], at1, "GAP"},
      {"prev_hash of another version", record(bad_prev, {0, 1}, 20), at1, "BAD_PREV_HASH"},
      {"version 1 with a non-zero prev_hash", record(update(1, v[0].update_bytes)), {}, "BAD_PREV_HASH"},
      {"expired when applied", record(expired, {0, 1}, 16), at1, "EXPIRED"},
      {"record version differs", mislabelled, at1, "MALFORMED_UPDATE"},
      {"one signature", record(update(2, v[0].update_bytes), {2}, 20), at1, "BELOW_THRESHOLD"},
  };
  for (const auto& c : cases) {
    auto r = verify_record(c.rec, ctx(c.tip));
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().message;
  }
  EXPECT_TRUE(verify_record(record(not_expired, {0, 1}, 20), ctx(at1)).ok()) << "valid until its own height";
  EXPECT_EQ(verify_record(v[0], ctx({}, "snp-other-1")).error().code, "WRONG_CHAIN");
}

}  // namespace
}  // namespace snprelay::allowlist
