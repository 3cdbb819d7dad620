// The encrypted key store (chain/keys/keystore.hpp): round trip, wrong passphrase, 0600 files and a
// 0700 directory, refusal of group/world-accessible files, tampering detected (ciphertext, public
// fields and mode bound as AAD), unknown format versions refused, version-1 files still open, other
// sealers (a test double here; the real TPM and SNP sealers are tested in their own suites), moving a
// key between protections without losing it, the passphrase envelope's parser, and no secret in any
// error message. Touches only a private temporary directory (no network); scrypt cost lowered.
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
#include "chain/keys/passphrase_sealer.hpp"
#include "common/aead.hpp"

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
    // The listing names the refused file instead of failing whole (issue 11: one bad file hid all).
    auto listing = store().scan();
    ASSERT_TRUE(listing.ok());
    EXPECT_TRUE(listing->keys.empty());
    ASSERT_EQ(listing->unreadable.size(), 1U);
    EXPECT_EQ(listing->unreadable[0].code, "INSECURE_PERMISSIONS");
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
  EXPECT_EQ(r.error().code, "KEYFILE_INVALID");  // the DEK opened, the private key did not
  EXPECT_NE(r.error().message.find("modified"), std::string::npos) << r.error().message;
  expect_no_secret(r.error());
  // A modified envelope cannot be told from a wrong passphrase (its GCM tag fails either way).
  doc = read_doc();
  std::string env = doc["protection"]["envelope"];
  env[env.size() - 3] = env[env.size() - 3] == '0' ? '1' : '0';
  doc["protection"]["envelope"] = env;
  write_doc(doc);
  r = store().unlock("relayer", pass());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "WRONG_PASSPHRASE");
  expect_no_secret(r.error());
}

TEST_F(KeyStoreTest, EditedPublicFieldsBreakTheTag) {
  add_default();
  auto doc = read_doc();
  const auto original = doc;
  doc["address"] = "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6";  // someone else's address
  write_doc(doc);
  auto r = store().unlock("relayer", pass());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "KEYFILE_INVALID");
  doc = original;
  doc["hd_path"] = "m/44'/118'/0'/0/1";  // not in the AAD: informational only, and the key still
  write_doc(doc);                        // matches its stored public key
  EXPECT_TRUE(store().unlock("relayer", pass()).ok());
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
  ASSERT_EQ(doc["version"], 2);
  for (const int version : {0, 3, 99}) {
    doc["version"] = version;
    write_doc(doc);
    auto shown = store().show("relayer");
    ASSERT_FALSE(shown.ok());
    EXPECT_EQ(shown.error().code, "KEYFILE_UNSUPPORTED");
    EXPECT_EQ(store().unlock("relayer", pass()).error().code, "KEYFILE_UNSUPPORTED");
  }
  doc["version"] = 2;
  doc["protection"]["mode"] = "yubikey";
  write_doc(doc);
  EXPECT_EQ(store().show("relayer").error().code, "KEYFILE_UNSUPPORTED");
  doc["protection"]["mode"] = "passphrase";
  doc["cipher"]["name"] = "chacha20-poly1305";
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

// A version-1 file as the key store wrote it before key protection existed: the scrypt key encrypts
// the private key directly. Built here from the documented layout with the public primitives.
nlohmann::json make_v1_doc(const keys::AccountKey& key, const SecretBytes& passphrase) {
  const Bytes salt(16, 0x5a);
  const Bytes nonce(12, 0xa5);
  auto kek = keys::scrypt_key(passphrase, salt, 10, 8, 1);
  EXPECT_TRUE(kek.ok());
  std::string aad = "snprelay-key/v1";
  aad += std::string(1, '\0') + "relayer" + '\0' + kAddress + '\0' + to_hex(key.public_key);
  auto ct = aead_seal(kek->view(), nonce, as_bytes(aad), key.private_key.view());
  EXPECT_TRUE(ct.ok());
  return {{"format", "snprelay-key"},
          {"version", 1},
          {"name", "relayer"},
          {"address", kAddress},
          {"pubkey", to_hex(key.public_key)},
          {"hd_path", "m/44'/118'/0'/0/0"},
          {"created_unix", 1700000000},
          {"kdf", {{"name", "scrypt"}, {"log2_n", 10}, {"r", 8}, {"p", 1}, {"salt", to_hex(salt)}}},
          {"cipher", {{"name", "aes-256-gcm"}, {"nonce", to_hex(nonce)}}},
          {"ciphertext", to_hex(*ct)}};
}

// A test double for a hardware sealer: the "envelope" is an index into secrets it keeps in memory
// (so a secret can never be read back from the file), and it can be told to fail.
class MemorySealer final : public Sealer {
 public:
  explicit MemorySealer(std::string mode = "tpm") : mode_(std::move(mode)) {}
  [[nodiscard]] std::string_view mode() const override { return mode_; }
  [[nodiscard]] Result<Bytes> seal(const SecretBytes& secret) override {
    if (fail_seal)
      return make_error("tpm", "TPM_UNREACHABLE", "no TPM here");
    secrets_.push_back(secret);
    return Bytes{static_cast<std::uint8_t>(secrets_.size() - 1)};
  }
  [[nodiscard]] Result<SecretBytes> unseal(std::span<const std::uint8_t> envelope) override {
    if (fail_unseal)
      return make_error("tpm", "TPM_POLICY_MISMATCH", "PCR 16 changed since sealing");
    if (envelope.size() != 1 || envelope[0] >= secrets_.size())
      return make_error("tpm", "BAD_BLOB", "unknown envelope");
    return secrets_[envelope[0]];
  }
  bool fail_seal = false;
  bool fail_unseal = false;

 private:
  std::string mode_;
  std::vector<SecretBytes> secrets_;
};

std::string file_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(KeyStoreTest, Version1FilesStillOpenAndAreUpgradedByReprotect) {
  std::filesystem::create_directories(dir_ / "keys");
  write_doc(make_v1_doc(key_, pass()));
  std::filesystem::permissions(file(),
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto info = store().show("relayer");
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->version, 1);
  EXPECT_EQ(info->protection, "passphrase");
  auto unlocked = store().unlock("relayer", pass());
  ASSERT_TRUE(unlocked.ok()) << unlocked.error().to_string();
  EXPECT_TRUE(unlocked->private_key.equals(key_.private_key));
  EXPECT_EQ(store().unlock("relayer", pass("wrong-passphrase")).error().code, "WRONG_PASSPHRASE");
  MemorySealer tpm;
  EXPECT_EQ(store().unlock("relayer", tpm).error().code, "KEY_PROTECTION_MISMATCH");

  keys::PassphraseSealer from(pass(), 10);
  keys::PassphraseSealer to(pass("a new passphrase"), 10);
  auto moved = store().reprotect("relayer", from, to);
  ASSERT_TRUE(moved.ok()) << moved.error().to_string();
  EXPECT_EQ(moved->version, 2);
  const auto doc = read_doc();
  EXPECT_EQ(doc["version"], 2);
  EXPECT_EQ(doc["created_unix"], 1700000000);  // the key's history is kept
  EXPECT_EQ(store().unlock("relayer", pass()).error().code, "WRONG_PASSPHRASE");
  EXPECT_TRUE(store().unlock("relayer", pass("a new passphrase")).ok());
}

TEST_F(KeyStoreTest, OtherSealersProtectTheDekAndModesAreNotMixedUp) {
  MemorySealer tpm;
  ASSERT_TRUE(store().add("relayer", key_, kAddress, "", tpm).ok());
  auto info = store().show("relayer");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->protection, "tpm");
  EXPECT_EQ(read_doc()["protection"]["envelope"], "00");
  auto unlocked = store().unlock("relayer", tpm);
  ASSERT_TRUE(unlocked.ok()) << unlocked.error().to_string();
  EXPECT_TRUE(unlocked->private_key.equals(key_.private_key));
  // A passphrase does not open a TPM-protected key, and says how to migrate instead.
  auto wrong_mode = store().unlock("relayer", pass());
  ASSERT_FALSE(wrong_mode.ok());
  EXPECT_EQ(wrong_mode.error().code, "KEY_PROTECTION_MISMATCH");
  EXPECT_NE(wrong_mode.error().message.find("keys protect relayer"), std::string::npos);
  // The sealer's own error comes through with its code, naming the key.
  tpm.fail_unseal = true;
  auto mismatch = store().unlock("relayer", tpm);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, "TPM_POLICY_MISMATCH");
  EXPECT_NE(mismatch.error().message.find("relayer"), std::string::npos);
  tpm.fail_unseal = false;
  // Rewriting the mode in the file is caught: the mode is part of the AAD.
  MemorySealer other("snp-derived");
  auto doc = read_doc();
  doc["protection"]["mode"] = "snp-derived";
  write_doc(doc);
  EXPECT_EQ(store().unlock("relayer", other).error().code, "BAD_BLOB");  // its envelope is not other's
  // A failing sealer leaves nothing behind.
  MemorySealer broken;
  broken.fail_seal = true;
  EXPECT_EQ(store().add("second", key_, kAddress, "", broken).error().code, "TPM_UNREACHABLE");
  EXPECT_FALSE(std::filesystem::exists(store().path_of("second")));
}

TEST_F(KeyStoreTest, ReprotectMovesBetweenModesAndNeverLosesTheKey) {
  add_default();
  keys::PassphraseSealer phrase(pass(), 10);
  MemorySealer tpm;
  auto moved = store().reprotect("relayer", phrase, tpm);
  ASSERT_TRUE(moved.ok()) << moved.error().to_string();
  EXPECT_EQ(moved->protection, "tpm");
  const std::string sealed_text = file_text(file());
  EXPECT_EQ(sealed_text.find(to_hex(key_.private_key.view())), std::string::npos);
  EXPECT_EQ(store().unlock("relayer", pass()).error().code, "KEY_PROTECTION_MISMATCH");
  EXPECT_TRUE(store().unlock("relayer", tpm).ok());
  // No temporary file is left next to the key.
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "keys"))
    EXPECT_EQ(e.path().filename(), "relayer.key");

  // The wrong "from" sealer, a target that cannot seal, and a target that cannot open what it
  // sealed: each fails and the file stays byte for byte what it was.
  EXPECT_EQ(store().reprotect("relayer", phrase, tpm).error().code, "KEY_PROTECTION_MISMATCH");
  MemorySealer cannot_seal("snp-derived");
  cannot_seal.fail_seal = true;
  EXPECT_EQ(store().reprotect("relayer", tpm, cannot_seal).error().code, "TPM_UNREACHABLE");
  MemorySealer cannot_open("snp-derived");
  cannot_open.fail_unseal = true;
  auto r = store().reprotect("relayer", tpm, cannot_open);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "REPROTECT_CHECK_FAILED");
  EXPECT_NE(r.error().message.find("old file was kept"), std::string::npos);
  EXPECT_EQ(file_text(file()), sealed_text);

  // And back to a passphrase.
  ASSERT_TRUE(store().reprotect("relayer", tpm, phrase).ok());
  auto back = store().unlock("relayer", pass());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_TRUE(back->private_key.equals(key_.private_key));
  EXPECT_EQ(store().reprotect("absent", tpm, phrase).error().code, "KEY_NOT_FOUND");
}

TEST(PassphraseSealer, EnvelopeRoundTripAndEveryMalformedShapeIsRefused) {
  keys::PassphraseSealer sealer(SecretBytes::from_string(kPassphrase), 10);
  EXPECT_EQ(sealer.mode(), "passphrase");
  const SecretBytes secret(Bytes(32, 0x42));
  auto env = sealer.seal(secret);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  ASSERT_EQ(env->size(), 37u + 32u + 16u);
  EXPECT_EQ(Bytes(env->begin(), env->begin() + 5), (Bytes{'S', 'R', 'P', 'P', 1}));
  auto opened = sealer.unseal(*env);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_TRUE(opened->equals(secret));
  // Two seals of one secret differ (fresh salt and nonce).
  EXPECT_NE(*sealer.seal(secret), *env);
  EXPECT_EQ(keys::PassphraseSealer(SecretBytes::from_string("other"), 10).unseal(*env).error().code,
            "WRONG_PASSPHRASE");
  // Every truncation, a trailing byte, and each header byte changed.
  for (std::size_t n = 0; n < env->size(); ++n) {
    auto r = sealer.unseal(std::span(*env).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, "BAD_ENVELOPE") << n;
  }
  Bytes longer = *env;
  longer.push_back(0);
  EXPECT_EQ(sealer.unseal(longer).error().code, "BAD_ENVELOPE");
  for (std::size_t i = 0; i < 37; ++i) {
    Bytes changed = *env;
    changed[i] ^= 0x01;
    auto r = sealer.unseal(changed);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    const std::string& code = r.error().code;
    EXPECT_TRUE(code == "BAD_ENVELOPE" || code == "WRONG_PASSPHRASE" || code == "KEYFILE_INVALID")
        << "byte " << i << ": " << code;
  }
  EXPECT_EQ(sealer.seal(SecretBytes()).error().code, "BAD_SECRET");
  EXPECT_EQ(sealer.seal(SecretBytes(Bytes(129, 1))).error().code, "BAD_SECRET");
  EXPECT_EQ(keys::PassphraseSealer(SecretBytes(), 10).seal(secret).error().code, "EMPTY_PASSPHRASE");
}

}  // namespace
}  // namespace snprelay::chain
