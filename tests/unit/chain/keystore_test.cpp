// The encrypted key store (chain/keys/keystore.hpp): round trip, wrong passphrase, 0600 files and a
// 0700 directory, refusal of group/world-accessible files, tampering detected (ciphertext, public
// fields bound as AAD), unknown format versions refused, and no secret in any error message.
// Touches only a private temporary directory (no network); scrypt cost lowered for speed.
#include "chain/keys/keystore.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "chain/keys/account_key.hpp"

namespace snprelay::chain {
namespace {

constexpr const char* kMnemonic =
    "special sign fit simple patrol salute grocery chicken wheat radar tonight ceiling";
constexpr const char* kAddress = "cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5";
constexpr const char* kPassphrase = "correct horse battery staple 7%";

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("snprelay-keystore-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    auto k = keys::account_key_from_mnemonic(SecretBytes::from_string(kMnemonic), SecretBytes(),
                                             "m/44'/118'/0'/0/0");
    ASSERT_TRUE(k.ok());
    key_ = std::move(*k);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  [[nodiscard]] keys::KeyStore store() const {
    return keys::KeyStore(dir_ / "keys", keys::KeyStoreOptions{10});
  }
  [[nodiscard]] static SecretBytes pass(const std::string& p = kPassphrase) {
    return SecretBytes::from_string(p);
  }
  void add_default() {
    auto st = store().add("relayer", key_, kAddress, "m/44'/118'/0'/0/0", pass());
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  [[nodiscard]] std::filesystem::path file() const { return store().path_of("relayer"); }
  [[nodiscard]] nlohmann::json read_doc() const {
    std::ifstream in(file());
    return nlohmann::json::parse(in);
  }
  void write_doc(const nlohmann::json& doc) const {
    std::ofstream out(file(), std::ios::trunc);
    out << doc.dump(2);
  }
  // No error message may carry the passphrase, the private key or the mnemonic.
  void expect_no_secret(const Error& e) const {
    const std::string text = e.to_string();
    EXPECT_EQ(text.find(kPassphrase), std::string::npos) << text;
    EXPECT_EQ(text.find("wrong-passphrase"), std::string::npos) << text;
    EXPECT_EQ(text.find(to_hex(key_.private_key.view())), std::string::npos) << text;
    EXPECT_EQ(text.find("patrol"), std::string::npos) << text;
  }

  std::filesystem::path dir_;
  keys::AccountKey key_;
};

TEST_F(KeyStoreTest, AddShowUnlockRoundTrip) {
  add_default();
  auto info = store().show("relayer");
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->name, "relayer");
  EXPECT_EQ(info->address, kAddress);
  EXPECT_EQ(info->public_key, key_.public_key);
  EXPECT_EQ(info->hd_path, "m/44'/118'/0'/0/0");
  auto unlocked = store().unlock("relayer", pass());
  ASSERT_TRUE(unlocked.ok()) << unlocked.error().to_string();
  EXPECT_TRUE(unlocked->private_key.equals(key_.private_key));
  EXPECT_EQ(unlocked->address, key_.address);
  auto listed = store().list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "relayer");
  // The file holds neither the private key nor the passphrase in any form we can spot.
  std::ifstream in(file());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(to_hex(key_.private_key.view())), std::string::npos);
  EXPECT_EQ(text.find(kPassphrase), std::string::npos);
  const auto duplicate = store().add("relayer", key_, kAddress, "", pass());
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, "KEY_EXISTS");
  ASSERT_TRUE(store().remove("relayer").ok());
  EXPECT_EQ(store().show("relayer").error().code, "KEY_NOT_FOUND");
  EXPECT_EQ(store().remove("relayer").error().code, "KEY_NOT_FOUND");
}

TEST_F(KeyStoreTest, WrongPassphraseIsRefusedWithoutLeakingIt) {
  add_default();
  auto r = store().unlock("relayer", pass("wrong-passphrase"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "WRONG_PASSPHRASE");
  expect_no_secret(r.error());
  auto empty = store().add("other", key_, kAddress, "", SecretBytes());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "EMPTY_PASSPHRASE");
}

TEST_F(KeyStoreTest, FilesAre0600AndDirectory0700) {
  const mode_t old = ::umask(0);  // even with a permissive umask
  add_default();
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ / "keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(KeyStoreTest, GroupOrWorldAccessibleFilesAreRefused) {
  add_default();
  for (const mode_t mode : {0640, 0604, 0660, 0644, 0610}) {
    ASSERT_EQ(::chmod(file().c_str(), mode), 0);
    SCOPED_TRACE(mode);
    auto shown = store().show("relayer");
    ASSERT_FALSE(shown.ok());
    EXPECT_EQ(shown.error().code, "INSECURE_PERMISSIONS");
    auto unlocked = store().unlock("relayer", pass());
    ASSERT_FALSE(unlocked.ok());
    EXPECT_EQ(unlocked.error().code, "INSECURE_PERMISSIONS");
    expect_no_secret(unlocked.error());
    EXPECT_FALSE(store().list().ok());  // one unreadable key fails the listing, naming it
  }
  ASSERT_EQ(::chmod(file().c_str(), 0600), 0);
  EXPECT_TRUE(store().unlock("relayer", pass()).ok());
  ASSERT_EQ(::chmod(file().c_str(), 0400), 0);  // read-only for the owner is fine
  EXPECT_TRUE(store().unlock("relayer", pass()).ok());
}

TEST_F(KeyStoreTest, CorruptedCiphertextIsDetected) {
  add_default();
  auto doc = read_doc();
  std::string ct = doc["ciphertext"];
  ct[10] = ct[10] == '0' ? '1' : '0';
  doc["ciphertext"] = ct;
  write_doc(doc);
  auto r = store().unlock("relayer", pass());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "WRONG_PASSPHRASE");  // the GCM tag fails: tampering and a wrong
  expect_no_secret(r.error());                    // passphrase are indistinguishable by design
}

TEST_F(KeyStoreTest, EditedPublicFieldsBreakTheTag) {
  add_default();
  auto doc = read_doc();
  doc["address"] = "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6";  // someone else's address
  write_doc(doc);
  auto r = store().unlock("relayer", pass());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "WRONG_PASSPHRASE");
}

TEST_F(KeyStoreTest, TruncatedOrMalformedFilesAreInvalid) {
  add_default();
  {
    std::ofstream out(file(), std::ios::trunc);
    out << "{\"format\":\"snprelay-key\",\"vers";
  }
  auto r = store().show("relayer");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "KEYFILE_INVALID");
  std::filesystem::remove(file());
  add_default();
  auto doc = read_doc();
  doc["cipher"]["nonce"] = "00";
  write_doc(doc);
  EXPECT_EQ(store().unlock("relayer", pass()).error().code, "KEYFILE_INVALID");
  doc["format"] = "something-else";
  write_doc(doc);
  EXPECT_EQ(store().show("relayer").error().code, "KEYFILE_INVALID");
}

TEST_F(KeyStoreTest, UnknownVersionIsRefusedNotGuessed) {
  add_default();
  auto doc = read_doc();
  ASSERT_EQ(doc["version"], 1);
  for (const int version : {0, 2, 99}) {
    doc["version"] = version;
    write_doc(doc);
    auto shown = store().show("relayer");
    ASSERT_FALSE(shown.ok());
    EXPECT_EQ(shown.error().code, "KEYFILE_UNSUPPORTED");
    EXPECT_EQ(store().unlock("relayer", pass()).error().code, "KEYFILE_UNSUPPORTED");
  }
  doc["version"] = 1;
  doc["kdf"]["name"] = "argon2id";
  write_doc(doc);
  EXPECT_EQ(store().unlock("relayer", pass()).error().code, "KEYFILE_UNSUPPORTED");
}

TEST_F(KeyStoreTest, NamesAreValidatedAndFileMustNameItsKey) {
  for (const char* bad : {"", ".hidden", "a/b", "../x", "name with space"}) {
    auto st = store().add(bad, key_, kAddress, "", pass());
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, "INVALID_KEY_NAME");
  }
  add_default();
  std::filesystem::copy_file(file(), store().path_of("copy"));
  std::filesystem::permissions(store().path_of("copy"),
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(store().show("copy").error().code, "KEYFILE_INVALID");  // a renamed file is not silently reused
}

}  // namespace
}  // namespace snprelay::chain
