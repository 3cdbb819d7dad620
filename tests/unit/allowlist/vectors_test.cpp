// Shared vectors: the Go side's (tests/data/protocol, tests/data/cosmos) checked by the C++ library,
// and the C++ side's (tests/data/allowlist/allowlist-vectors.json) reproduced byte for byte and
// checked against their declared outcomes (the Go test checks the same file).
#include <gtest/gtest.h>

#include <fstream>

#include "tests/unit/allowlist/fixtures.hpp"

namespace snprelay::allowlist {
namespace {

using namespace testing;

nlohmann::json load(const std::string& rel) {
  std::ifstream in(std::string(SNPRELAY_TEST_DATA) + "/" + rel);
  return nlohmann::json::parse(in);
}

Bytes hex(const nlohmann::json& j) {
  return *from_hex(j.get<std::string>());
}

TEST(AllowlistVectors, GoProtocolSignatureVectors) {
  const auto doc = load("protocol/protocol-vectors.json");
  const auto& sigs = doc["allowlist_signatures"];
  ASSERT_FALSE(sigs.empty());
  int valid = 0;
  for (const auto& v : sigs) {
    const Bytes ub = hex(v["update_bytes"]);
    EXPECT_EQ(to_hex(signing_digest(ub)), v["digest"].get<std::string>());
    const bool want =
        v["valid"].is_boolean() ? v["valid"].get<bool>() : v["valid"].get<std::string>() == "True";
    // Through the threshold check, as a one-key set with threshold 1.
    const SignerSet set{{{"k", hex(v["pubkey"])}}, 1};
    auto r = check_signatures(ub, {{"k", hex(v["signature"])}}, set);
    EXPECT_EQ(r.ok(), want) << v.value("why", "valid");
    valid += want ? 1 : 0;
  }
  EXPECT_GT(valid, 0);
}

TEST(AllowlistVectors, CppVectorsFileIsReproducedExactly) {
  const auto on_disk = load("allowlist/allowlist-vectors.json");
  EXPECT_EQ(on_disk, make_vectors())
      << "regenerate with build/bin/allowlist_vector_gen > "
         "tests/data/allowlist/allowlist-vectors.json and say why in PROVENANCE.md";
}

TEST(AllowlistVectors, CppVectorsOutcomes) {
  const auto doc = load("allowlist/allowlist-vectors.json");
  SignerSet set;
  for (const auto& s : doc["signers"])
    set.signers.push_back({s["key_id"].get<std::string>(), hex(s["pubkey"])});
  set.threshold = doc["threshold"].get<std::uint32_t>();
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"].get<std::string>();
    const std::string expect = c["expect"].get<std::string>();
    const Bytes ub = hex(c["update_bytes"]);
    EXPECT_EQ(to_hex(signing_digest(ub)), c["digest"].get<std::string>()) << name;
    auto decoded = decode_update(ub);
    if (expect == "malformed") {
      EXPECT_FALSE(decoded.ok()) << name;
      continue;
    }
    ASSERT_TRUE(decoded.ok()) << name;
    std::vector<Signature> sigs;
    for (const auto& s : c["signatures"])
      sigs.push_back({s["key_id"].get<std::string>(), hex(s["signature"])});
    auto r = check_signatures(ub, sigs, set);
    const std::string got = r.ok()                               ? "ok"
                            : r.error().code == "UNKNOWN_SIGNER" ? "unauthorized"
                                                                 : "below_threshold";
    EXPECT_EQ(got, expect) << name;
  }
}

}  // namespace
}  // namespace snprelay::allowlist
