// The signer-set rule shared with the chain (verify.hpp signer_set_problem), against the vectors the Go
// module writes (tests/data/protocol/signer_sets.json: onchain TestWriteSignerSetVectors), and the
// issue 21 regressions: one pubkey under two ids made `allowlist verify` count one key twice, and a
// signature relabelled to another id.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "allowlist/codec.hpp"
#include "allowlist/verify.hpp"
#include "common/hex.hpp"
#include "tests/unit/allowlist/fixtures.hpp"

namespace snprelay::allowlist {
namespace {

using namespace testing;

TEST(SignerSetRule, EveryCaseOfTheSharedVectorsGivesTheChainsVerdictAndCode) {
  std::ifstream in(std::string(SNPRELAY_TEST_DATA) + "/protocol/signer_sets.json");
  ASSERT_TRUE(in) << "tests/data/protocol/signer_sets.json is missing";
  const auto doc = nlohmann::json::parse(in);
  ASSERT_FALSE(doc.at("provenance").get<std::string>().empty());
  const auto& cases = doc.at("cases");
  ASSERT_GE(cases.size(), 10u);
  std::size_t duplicate_pubkey_cases = 0;
  for (const auto& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name);
    SignerSet set;
    set.threshold = c.at("threshold").get<std::uint32_t>();
    if (!c.at("signers").is_null()) {
      for (const auto& s : c.at("signers")) {
        auto pub = from_hex(s.at("pubkey_hex").get<std::string>());
        ASSERT_TRUE(pub.ok());
        set.signers.push_back({s.at("key_id").get<std::string>(), std::move(*pub)});
      }
    }
    const auto problem = signer_set_problem(set);
    if (c.at("valid").get<bool>()) {
      EXPECT_FALSE(problem.has_value()) << problem->code << ": " << problem->message;
      EXPECT_TRUE(validate_signer_set(set).ok());
      continue;
    }
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->code, c.at("error").get<std::string>()) << problem->message;
    const Status st = validate_signer_set(set);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, "BAD_SIGNER_SET");
    EXPECT_EQ(st.error().message.rfind(problem->code + ":", 0), 0u) << st.error().message;
    duplicate_pubkey_cases += problem->code == "DUPLICATE_PUBKEY" ? 1 : 0;
  }
  EXPECT_GE(duplicate_pubkey_cases, 1u);
}

TEST(SignerSetRule, OnePubkeyUnderTwoIdsIsRefusedSoOneKeyCannotMeetAThresholdOfTwo) {
  SignerSet twice = gov_set(2);
  twice.signers[1].pubkey = twice.signers[0].pubkey;
  const auto problem = signer_set_problem(twice);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->code, "DUPLICATE_PUBKEY");
  EXPECT_NE(problem->message.find(twice.signers[0].key_id), std::string::npos) << problem->message;
}

TEST(SignerSetRule, ASignatureRelabelledToAnotherIdIsNotCountedAndIsNamed) {
  const SignerSet set = gov_set(2);
  const Bytes b = encode_update(update(1, {}, {entry(1)}));
  Signature relabelled = sign(b, 0);
  relabelled.key_id = set.signers[1].key_id;  // gov-0's signature presented as gov-1's
  auto ids = check_signatures(b, {sign(b, 0), relabelled}, set);
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.error().code, "BELOW_THRESHOLD");
  EXPECT_NE(ids.error().message.find("relabelled"), std::string::npos) << ids.error().message;
  const auto by = signed_by_other(b, relabelled, set);
  ASSERT_TRUE(by.has_value());
  EXPECT_EQ(*by, set.signers[0].key_id);
  EXPECT_FALSE(signed_by_other(b, sign(b, 1), set).has_value());
}

}  // namespace
}  // namespace snprelay::allowlist
