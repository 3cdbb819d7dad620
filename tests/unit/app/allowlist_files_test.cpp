// relayer/app/allowlist_files: the governance flow's files read and checked in-process.
#include "relayer/app/allowlist_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/unit/allowlist/fixtures.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::app {
namespace {

namespace al = allowlist;
namespace alt = allowlist::testing;
using nlohmann::ordered_json;

class AllowlistFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = al::encode_update(alt::update(1, {}, {alt::entry(0x11)}));
    auto loaded = load_update(bytes_, "update");
    ASSERT_TRUE(loaded.ok());
    update_ = std::move(*loaded);
  }
  std::string write(const std::string& name, const ordered_json& j) {
    const std::string path = dir_.file(name);
    std::ofstream(path) << j.dump();
    return path;
  }
  ordered_json sig_json(int key) {
    const al::Signature s = alt::sign(bytes_, key);
    return {{"key_id", s.key_id},
            {"pubkey", to_hex(alt::gov_key(key).pubkey)},
            {"signature", to_hex(s.signature)},
            {"update_sha256", to_hex(update_.hash)}};
  }

  snprelay::testing::TempDir dir_;
  Bytes bytes_;
  LoadedUpdate update_;
};

TEST_F(AllowlistFiles, SignaturesOverTheUpdateAreReadOncePerSigner) {
  const auto a = write("a.json", sig_json(0));
  const auto b = write("b.json", sig_json(1));
  auto sigs = read_signatures({a, b}, update_);
  ASSERT_TRUE(sigs.ok()) << sigs.error().message;
  ASSERT_EQ(sigs->size(), 2u);
  EXPECT_EQ((*sigs)[0].sig.key_id, alt::gov_id(0));

  auto twice = read_signatures({a, a}, update_);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().kind, ErrorKind::kInput);
  EXPECT_NE(twice.error().message.find("signed twice"), std::string::npos) << twice.error().message;
}

TEST_F(AllowlistFiles, ASignatureUnderTheWrongPubkeyOrForAnotherUpdateIsRefused) {
  ordered_json forged = sig_json(0);
  forged["pubkey"] = to_hex(alt::gov_key(1).pubkey);
  auto bad_key = read_signatures({write("f.json", forged)}, update_);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.error().message.find("does not verify"), std::string::npos) << bad_key.error().message;

  ordered_json other = sig_json(0);
  other["update_sha256"] = std::string(64, '0');
  auto bad_hash = read_signatures({write("o.json", other)}, update_);
  ASSERT_FALSE(bad_hash.ok());
  EXPECT_NE(bad_hash.error().message.find("not this update"), std::string::npos) << bad_hash.error().message;
}

TEST_F(AllowlistFiles, SignerSetFileNeedsAThresholdAndValidKeys) {
  ordered_json set = {{"signers", ordered_json::array()}};
  for (int i = 0; i < 3; ++i)
    set["signers"].push_back({{"key_id", alt::gov_id(i)}, {"pubkey", to_hex(alt::gov_key(i).pubkey)}});
  const auto no_threshold = write("s.json", set);
  EXPECT_FALSE(signer_set_from_file(no_threshold, std::nullopt).ok());
  auto given = signer_set_from_file(no_threshold, 2);
  ASSERT_TRUE(given.ok()) << given.error().message;
  EXPECT_EQ(given->threshold, 2u);
  EXPECT_EQ(given->signers.size(), 3u);

  set["threshold"] = 4;  // more than the signers
  EXPECT_FALSE(signer_set_from_file(write("t.json", set), std::nullopt).ok());
  set["threshold"] = 2;
  set["signers"][1]["pubkey"] = "02abcd";
  auto short_key = signer_set_from_file(write("k.json", set), std::nullopt);
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.error().message.find("signers[1]"), std::string::npos) << short_key.error().message;
}

TEST_F(AllowlistFiles, TheUpdateInWordsEscapesItsLabels) {
  al::Update u = alt::update(1, {}, {alt::entry(0x22, "ACCEPTED\nfake line")});
  auto loaded = load_update(al::encode_update(u), "update");
  ASSERT_TRUE(loaded.ok());
  const std::string words = describe_update(*loaded);
  EXPECT_EQ(words.find("\nfake line"), std::string::npos) << words;
  EXPECT_NE(words.find("ADD    " + std::string(96, '2')), std::string::npos) << words;
  EXPECT_EQ(update_json(*loaded)["add"][0]["label"], "ACCEPTED\nfake line");
}

}  // namespace
}  // namespace snprelay::app
