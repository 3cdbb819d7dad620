// The key store against a careless or hostile file system (issue 11, point 7): an edited address, a
// symlinked or non-regular key file, a keyring others can write, a permissive umask, one bad file among
// good ones, HOME unset. Each test is named after the behaviour it reproduces. Private temporary
// directories only; scrypt cost lowered.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "chain/keys/account_key.hpp"
#include "chain/keys/keystore.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::chain {
namespace {

constexpr const char* kMnemonic =
    "special sign fit simple patrol salute grocery chicken wheat radar tonight ceiling";
constexpr const char* kAddress = "cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5";
constexpr const char* kOtherAddress = "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6";

class KeyStoreHostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = keys::account_key_from_mnemonic(SecretBytes::from_string(kMnemonic), SecretBytes(),
                                             "m/44'/118'/0'/0/0");
    ASSERT_TRUE(k.ok());
    key_ = std::move(*k);
  }
  [[nodiscard]] std::filesystem::path ring() const { return tmp_.path() / "keys"; }
  [[nodiscard]] keys::KeyStore store() const { return keys::KeyStore(ring(), keys::KeyStoreOptions{10}); }
  void add(const std::string& name) {
    auto st = store().add(name, key_, kAddress, "m/44'/118'/0'/0/0", SecretBytes::from_string("pw"));
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  static mode_t mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  testing::TempDir tmp_;
  keys::AccountKey key_;
};

// An edited key file could make `keys show` print someone else's address (only unlock noticed).
TEST_F(KeyStoreHostileTest, EditedAddressIsRefusedByShowAndListNotPrinted) {
  add("relayer");
  nlohmann::json doc;
  {
    std::ifstream in(store().path_of("relayer"));
    doc = nlohmann::json::parse(in);
  }
  doc["address"] = kOtherAddress;
  {
    std::ofstream out(store().path_of("relayer"), std::ios::trunc);
    out << doc.dump(2);
  }
  auto shown = store().show("relayer");
  ASSERT_FALSE(shown.ok());
  EXPECT_EQ(shown.error().code, "KEYFILE_INVALID");
  EXPECT_EQ(shown.error().kind, ErrorKind::kInput);
  EXPECT_NE(shown.error().message.find("does not belong to the stored public key"), std::string::npos);
  auto listed = store().scan();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->keys.empty());
  ASSERT_EQ(listed->unreadable.size(), 1U);
  EXPECT_EQ(listed->unreadable[0].message.find(kOtherAddress), std::string::npos);
}

// A key file with a field written twice was read as its last copy: a second "address" after the real one
// would be what a reader keeping the last sees, while one keeping the first sees another (issue 21: one
// strict JSON reader for every file the tools read).
TEST_F(KeyStoreHostileTest, KeyFileWithADuplicateFieldIsRefusedNamingIt) {
  add("relayer");
  std::string text;
  {
    std::ifstream in(store().path_of("relayer"));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto brace = text.find('{');
  ASSERT_NE(brace, std::string::npos);
  text.insert(brace + 1, "\"address\": \"" + std::string(kOtherAddress) + "\", ");
  {
    std::ofstream out(store().path_of("relayer"), std::ios::trunc);
    out << text;
  }
  auto shown = store().show("relayer");
  ASSERT_FALSE(shown.ok());
  EXPECT_EQ(shown.error().code, "KEYFILE_INVALID");
  EXPECT_NE(shown.error().message.find("\"address\" appears twice"), std::string::npos)
      << shown.error().message;
}

// A key file that is a symlink was followed (to any file the user can read).
TEST_F(KeyStoreHostileTest, SymlinkedKeyFileIsRefusedNotFollowed) {
  add("real");
  std::filesystem::create_symlink(store().path_of("real"), store().path_of("alias"));
  auto shown = store().show("alias");
  ASSERT_FALSE(shown.ok());
  EXPECT_EQ(shown.error().code, "KEYFILE_INVALID");
  EXPECT_NE(shown.error().message.find("symbolic link"), std::string::npos) << shown.error().message;
  EXPECT_EQ(store().unlock("alias", SecretBytes::from_string("pw")).error().code, "KEYFILE_INVALID");
}

// A directory named NAME.key in the keyring aborted the CLI (exit 134).
TEST_F(KeyStoreHostileTest, DirectoryNamedLikeAKeyIsAnInputErrorNotAnAbort) {
  add("good");
  std::filesystem::create_directory(store().path_of("dir"));
  ::chmod(store().path_of("dir").c_str(), 0700);
  auto shown = store().show("dir");
  ASSERT_FALSE(shown.ok());
  EXPECT_EQ(shown.error().code, "KEYFILE_INVALID");
  EXPECT_NE(shown.error().message.find("is a directory"), std::string::npos) << shown.error().message;
}

// One unreadable key file made `keys list` fail and hid every good key.
TEST_F(KeyStoreHostileTest, OneBadKeyFileDoesNotHideTheGoodOnes) {
  add("alpha");
  add("omega");
  {
    std::ofstream out(store().path_of("broken"));
    out << "{ not json";
  }
  ::chmod(store().path_of("broken").c_str(), 0600);
  auto listing = store().scan();
  ASSERT_TRUE(listing.ok()) << listing.error().to_string();
  ASSERT_EQ(listing->keys.size(), 2U);
  EXPECT_EQ(listing->keys[0].name, "alpha");
  EXPECT_EQ(listing->keys[1].name, "omega");
  ASSERT_EQ(listing->unreadable.size(), 1U);
  EXPECT_NE(listing->unreadable[0].message.find("broken.key"), std::string::npos);
  auto list = store().list();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2U);
}

// A keyring others can write lets them plant or swap a key file: refused by every operation.
TEST_F(KeyStoreHostileTest, GroupOrWorldWritableKeyringIsRefused) {
  add("relayer");
  for (const mode_t mode : {mode_t{0770}, mode_t{0703}, mode_t{0777}}) {
    SCOPED_TRACE(mode);
    ASSERT_EQ(::chmod(ring().c_str(), mode), 0);
    auto shown = store().show("relayer");
    ASSERT_FALSE(shown.ok());
    EXPECT_EQ(shown.error().code, "KEYRING_INSECURE");
    EXPECT_EQ(store().scan().error().code, "KEYRING_INSECURE");
    EXPECT_EQ(store().unlock("relayer", SecretBytes::from_string("pw")).error().code, "KEYRING_INSECURE");
    auto added = store().add("second", key_, kAddress, "", SecretBytes::from_string("pw"));
    ASSERT_FALSE(added.ok());
    EXPECT_EQ(added.error().code, "KEYRING_INSECURE");
  }
  ASSERT_EQ(::chmod(ring().c_str(), 0700), 0);
  EXPECT_TRUE(store().show("relayer").ok());
}

// The keyring was created at the umask's mode and chmod'ed afterwards (a looser window), parents too.
TEST_F(KeyStoreHostileTest, KeyringAndParentsAreCreated0700WhateverTheUmask) {
  const mode_t old = ::umask(0);
  keys::KeyStore deep(tmp_.path() / "home" / ".snprelay" / "keys", keys::KeyStoreOptions{10});
  auto st = deep.add("relayer", key_, kAddress, "", SecretBytes::from_string("pw"));
  ::umask(old);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(mode_of(tmp_.path() / "home"), 0700U);
  EXPECT_EQ(mode_of(tmp_.path() / "home" / ".snprelay"), 0700U);
  EXPECT_EQ(mode_of(tmp_.path() / "home" / ".snprelay" / "keys"), 0700U);
  EXPECT_EQ(mode_of(deep.path_of("relayer")), 0600U);
}

// With HOME unset the default keyring was ./.snprelay/keys, wherever the process happened to run.
TEST(KeyStoreDefaultDir, WithoutHomeIsAnErrorNotTheWorkingDirectory) {
  const char* home = std::getenv("HOME");
  const std::string saved_home = home != nullptr ? home : "";
  const char* ring = std::getenv("SNPRELAY_KEYRING_DIR");
  const std::string saved_ring = ring != nullptr ? ring : "";
  ::unsetenv("HOME");
  ::unsetenv("SNPRELAY_KEYRING_DIR");
  const auto dir = keys::KeyStore::default_dir();
  EXPECT_TRUE(dir.empty()) << dir;
  keys::KeyStore store(dir, keys::KeyStoreOptions{10});
  EXPECT_EQ(store.list().error().code, "NO_KEYRING_DIR");
  EXPECT_EQ(store.show("relayer").error().code, "NO_KEYRING_DIR");
  EXPECT_EQ(store.list().error().kind, ErrorKind::kInput);
  ::setenv("HOME", "", 1);
  EXPECT_TRUE(keys::KeyStore::default_dir().empty());
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(keys::KeyStore::default_dir(), std::filesystem::path("/home/someone/.snprelay/keys"));
  if (home != nullptr)
    ::setenv("HOME", saved_home.c_str(), 1);
  else
    ::unsetenv("HOME");
  if (ring != nullptr)
    ::setenv("SNPRELAY_KEYRING_DIR", saved_ring.c_str(), 1);
}

}  // namespace
}  // namespace snprelay::chain
