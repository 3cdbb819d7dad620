// Keys: BIP-39, BIP-32, secp256k1, address hashing and bech32 against every key vector in
// tests/data/cosmos/cosmos-sign-direct.json, plus the rules each parser must enforce.
#include <gtest/gtest.h>

#include <string>

#include "chain/crypto/hash.hpp"
#include "chain/keys/account_key.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/bip32.hpp"
#include "chain/keys/bip39.hpp"
#include "chain/keys/bip39_wordlist.hpp"
#include "chain/keys/nfkd.hpp"
#include "tests/unit/chain/vectors.hpp"

namespace snprelay::chain {
namespace {

using testing::hex_bytes;
using testing::secret;

TEST(Bip39, WordlistIsTheCanonicalEnglishList) {
  std::string joined;
  for (const auto w : keys::bip39_english_wordlist()) {
    joined += w;
    joined += '\n';
  }
  EXPECT_EQ(to_hex(crypto::sha256(joined)),
            "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda");
}

TEST(KeyVectors, EveryKeyVectorReproduced) {
  const auto doc = testing::load_cosmos_json("cosmos-sign-direct.json");
  ASSERT_EQ(doc["key_vectors"].size(), 5u);
  for (const auto& v : doc["key_vectors"]) {
    SCOPED_TRACE(v["cosmos"].get<std::string>());
    const auto mnemonic = secret(v["mnemonic"]);
    const auto pass = secret(v["bip39_passphrase"]);
    if (v.contains("seed")) {
      auto seed = keys::mnemonic_to_seed(mnemonic, pass);
      ASSERT_TRUE(seed.ok());
      EXPECT_EQ(to_hex(seed->view()), v["seed"].get<std::string>());
    }
    auto key = keys::account_key_from_mnemonic(mnemonic, pass, v["path"].get<std::string>());
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    if (v.contains("privkey")) {
      EXPECT_EQ(to_hex(key->private_key.view()), v["privkey"].get<std::string>());
    }
    if (v.contains("pubkey_compressed")) {
      EXPECT_EQ(to_hex(key->public_key), v["pubkey_compressed"].get<std::string>());
    }
    if (v.contains("address_bytes")) {
      EXPECT_EQ(to_hex(key->address), v["address_bytes"].get<std::string>());
    }
    EXPECT_EQ(*keys::bech32_address(key->public_key, "cosmos"), v["cosmos"].get<std::string>());
    if (v.contains("cosmosvaloper")) {
      EXPECT_EQ(*keys::bech32_address(key->public_key, "cosmosvaloper"),
                v["cosmosvaloper"].get<std::string>());
    }
  }
}

TEST(Bip39, RejectsBadChecksumWordAndCount) {
  // Valid: 11 x abandon + about. Swapping the last word breaks the checksum.
  EXPECT_TRUE(
      keys::validate_mnemonic(secret("abandon abandon abandon abandon abandon abandon abandon abandon "
                                     "abandon abandon abandon about"))
          .ok());
  auto bad_sum = keys::validate_mnemonic(secret(
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"));
  ASSERT_FALSE(bad_sum.ok());
  EXPECT_NE(bad_sum.error().message.find("checksum"), std::string::npos);
  auto bad_word = keys::validate_mnemonic(secret(
      "abandon abandon abandon abandon abandon abandon abandon abandonx abandon abandon abandon about"));
  ASSERT_FALSE(bad_word.ok());
  EXPECT_NE(bad_word.error().message.find("word 8"), std::string::npos);
  // The error never echoes the secret word.
  EXPECT_EQ(bad_word.error().message.find("abandonx"), std::string::npos);
  EXPECT_FALSE(keys::validate_mnemonic(secret("abandon about")).ok());
  EXPECT_FALSE(keys::validate_mnemonic(secret("")).ok());
}

TEST(Bip39, NormalizesWhitespaceAndCase) {
  auto a = keys::mnemonic_to_seed(secret("  Abandon abandon\tabandon abandon abandon abandon abandon abandon "
                                         "abandon abandon abandon ABOUT\n"),
                                  secret(""));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(to_hex(a->view()).substr(0, 16), "5eb00bbddcf06908");
}

// NFKD expectations computed with Python's unicodedata (Unicode 14.0) + hashlib.pbkdf2_hmac, an
// implementation independent of chain/keys/nfkd.cpp.
TEST(Bip39, NonAsciiPassphraseIsNfkdNormalized) {
  struct Case {
    const char* input_hex;
    const char* nfkd_hex;
  };
  for (const auto& c : {
           // "Pässwörd ½ — “quöte” … €5" (NFC): decompositions, compatibility forms, punctuation
           Case{"50c3a4737377c3b6726420c2bd20e2809420e2809c7175c3b67465e2809d20e280a620e282ac35",
                "5061cc887373776fcc8872642031e281843220e2809420e2809c71756fcc887465e2809d202e2e2e20e282ac35"},
           // the same text in NFD: same result
           Case{"5061cc887373776fcc88726420c2bd20e2809420e2809c71756fcc887465e2809d20e280a620e282ac35",
                "5061cc887373776fcc8872642031e281843220e2809420e2809c71756fcc887465e2809d202e2e2e20e282ac35"},
           // a + U+0301 (ccc 230) + U+0327 (ccc 202) + x: canonical reordering of the marks
           Case{"61cc81cca778", "61cca7cc8178"},
           // Vietnamese ệ, Cyrillic Йё, Greek άϊ
           Case{"e1bb8720d099d19120ceaccf8a", "65cca3cc8220d098cc86d0b5cc8820ceb1cc81ceb9cc88"},
           // Ĳ Ŀ ŉ ſ NBSP µ: compatibility decompositions
           Case{"c4b2c4bfc589c5bfc2a0c2b5", "494a4cc2b7cabc6e7320cebc"},
           Case{"6173636969", "6173636969"},
       }) {
    SCOPED_TRACE(c.input_hex);
    auto out = keys::nfkd_passphrase(SecretBytes(std::span<const std::uint8_t>(hex_bytes(c.input_hex))));
    ASSERT_TRUE(out.ok()) << out.error().to_string();
    EXPECT_EQ(to_hex(out->view()), c.nfkd_hex);
  }
  const auto mnemonic =
      secret("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about");
  auto seed = keys::mnemonic_to_seed(
      mnemonic, SecretBytes(std::span<const std::uint8_t>(hex_bytes(
                    "50c3a4737377c3b6726420c2bd20e2809420e2809c7175c3b67465e2809d20e280a620e282ac35"))));
  ASSERT_TRUE(seed.ok()) << seed.error().to_string();
  EXPECT_EQ(to_hex(seed->view()),
            "030d48a9c8e5f3910df11fd53b1157919a8ac7160678d41f7b75f77cf099c2b1f7025a3049c6a4e05d608b39c3ada8f2"
            "79aae09d4"
            "1ed84071f56635c175830b1");
}

TEST(Bip39, RefusesPassphrasesItCannotNormalize) {
  const auto mnemonic =
      secret("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about");
  for (const char* bad : {"\xe6\x97\xa5\xe6\x9c\xac",  // CJK (outside the supported scripts)
                          "pass\xf0\x9f\x94\x91",      // emoji
                          "p\xc3",                     // truncated UTF-8
                          "\xc0\xaf",                  // overlong '/'
                          "\xed\xa0\x80",              // UTF-16 surrogate
                          "\xcd\xb8"}) {               // U+0378, unassigned in Greek
    SCOPED_TRACE(to_hex(secret(bad).view()));
    auto r = keys::mnemonic_to_seed(mnemonic, secret(bad));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "UNSUPPORTED_PASSPHRASE");
    EXPECT_EQ(r.error().message.find(bad), std::string::npos);  // never echoes the passphrase
  }
}

TEST(Bip39, EntropyRoundTripAndGeneration) {
  const Bytes zeros(16, 0);
  auto m = keys::entropy_to_mnemonic(zeros);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->to_string_unsafe(),
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about");
  for (unsigned words : {12u, 15u, 18u, 21u, 24u}) {
    auto g = keys::generate_mnemonic(words);
    ASSERT_TRUE(g.ok());
    EXPECT_TRUE(keys::validate_mnemonic(*g).ok());
  }
  EXPECT_FALSE(keys::generate_mnemonic(13).ok());
  auto bad_entropy = keys::entropy_to_mnemonic(Bytes(17, 0));
  ASSERT_FALSE(bad_entropy.ok());
  EXPECT_EQ(bad_entropy.error().kind, ErrorKind::kInput);  // issue 11: the kind is set at the source
}

TEST(Bip32, ParsesAndFormatsPaths) {
  auto p = keys::parse_hd_path("m/44'/118'/0'/0/5");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 5u);
  EXPECT_EQ((*p)[0], 44u | keys::kHardened);
  EXPECT_EQ((*p)[4], 5u);
  EXPECT_EQ(keys::format_hd_path(*p), "m/44'/118'/0'/0/5");
  EXPECT_TRUE(keys::parse_hd_path("m/44h/118H/0'").ok());
  EXPECT_TRUE(keys::parse_hd_path("m").ok());
  for (const char* bad : {"", "44'/118'", "m/", "m//1", "m/x", "m/2147483648", "m/1''", "m/-1"})
    EXPECT_FALSE(keys::parse_hd_path(bad).ok()) << bad;
}

TEST(Bip32, Bip32TestVector1) {
  // BIP-32 test vector 1, chain m/0'/1/2'/2/1000000000: private key of the last node.
  SecretBytes seed(std::span<const std::uint8_t>(hex_bytes("000102030405060708090a0b0c0d0e0f")));
  auto path = keys::parse_hd_path("m/0'/1/2'/2/1000000000");
  ASSERT_TRUE(path.ok());
  auto key = keys::derive_private_key(seed, *path);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(to_hex(key->view()), "471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8");
}

TEST(Bech32, Bip173ValidAndInvalidStrings) {
  for (const char* ok :
       {"A12UEL5L", "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"})
    EXPECT_TRUE(keys::bech32_decode(ok).ok()) << ok;
  for (const char* bad : {"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8",
                          "1qzzfhee", "a12UEL5L", "de1lg7wt\xff", "A12uEL5L"})
    EXPECT_FALSE(keys::bech32_decode(bad).ok()) << bad;
}

TEST(Bech32, AddressChecksPrefixAndLength) {
  EXPECT_TRUE(keys::decode_address("cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5", "cosmos").ok());
  auto wrong = keys::decode_address("cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5", "osmo");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "WRONG_HRP");
  // One character changed: checksum fails.
  EXPECT_FALSE(keys::decode_address("cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys6", "cosmos").ok());
  // 32-byte module-derived address accepted; 10-byte payload refused.
  auto a32 = keys::bech32_encode("cosmos", Bytes(32, 7));
  ASSERT_TRUE(a32.ok());
  EXPECT_TRUE(keys::decode_address(*a32, "cosmos").ok());
  auto a10 = keys::bech32_encode("cosmos", Bytes(10, 7));
  ASSERT_TRUE(a10.ok());
  EXPECT_EQ(keys::decode_address(*a10, "cosmos").error().code, "INVALID_ADDRESS_LENGTH");
  // The gov module account (cosmos-sdk authtypes.NewModuleAddress("gov"): SHA-256 of the name).
  const auto gov = crypto::sha256(std::string_view("gov"));
  EXPECT_EQ(*keys::bech32_encode("cosmos", std::span(gov.data(), 20)),
            "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn");
}

TEST(Hash, Ripemd160PortableMatchesOpenSsl) {
  EXPECT_EQ(to_hex(crypto::ripemd160_portable(Bytes{})), "9c1185a5c5e9fc54612808977ee8f548b2258d31");
  EXPECT_EQ(to_hex(crypto::ripemd160_portable(Bytes{'a', 'b', 'c'})),
            "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  for (std::size_t n : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 200u}) {
    Bytes data(n);
    for (std::size_t i = 0; i < n; ++i)
      data[i] = static_cast<std::uint8_t>(i * 7 + 3);
    EXPECT_EQ(crypto::ripemd160_portable(data), crypto::ripemd160(data)) << n;
  }
}

}  // namespace
}  // namespace snprelay::chain
