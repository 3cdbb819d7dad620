// The snpattest.v1 protocol hashes against vectors computed independently (Python hashlib), and the
// allowlist signature scheme end to end (sign the digest, verify, reject tampering and high-S).
#include "chain/protocol/binding.hpp"

#include <gtest/gtest.h>

#include "chain/crypto/secp256k1.hpp"
#include "tests/unit/chain/vectors.hpp"

namespace snprelay::chain {
namespace {

using testing::hex_bytes;

TEST(Binding, ReportDataVector) {
  const auto v = testing::load_cosmos_json("snpattest-hash-vectors.json")["report_data"];
  auto rd = protocol::report_data(v["chain_id"].get<std::string>(), v["epoch"], hex_bytes(v["nonce"]),
                                  v["operator"].get<std::string>(), v["relayer"].get<std::string>(),
                                  v["allowlist_version"]);
  ASSERT_TRUE(rd.ok());
  EXPECT_EQ(to_hex(*rd), v["expected"].get<std::string>());
  // Every input is bound: changing any one changes the result.
  auto other = protocol::report_data(v["chain_id"].get<std::string>(), v["epoch"], hex_bytes(v["nonce"]),
                                     v["operator"].get<std::string>(), v["relayer"].get<std::string>(), 4);
  EXPECT_NE(to_hex(*other), v["expected"].get<std::string>());
  // Length prefixes keep field boundaries: moving a character between operator and relayer changes it.
  auto a = protocol::report_data("c", 1, Bytes(32, 0), "ab", "c", 1);
  auto b = protocol::report_data("c", 1, Bytes(32, 0), "a", "bc", 1);
  EXPECT_NE(to_hex(*a), to_hex(*b));
  EXPECT_FALSE(protocol::report_data("c", 1, Bytes(31, 0), "a", "b", 1).ok());
  EXPECT_FALSE(protocol::report_data(std::string(65536, 'x'), 1, Bytes(32, 0), "a", "b", 1).ok());
}

// Issue 11: a binding the request's fields cannot make is the caller's input (exit 2, HTTP 400), set by
// the library itself, not re-classified by its callers.
TEST(Binding, BadFieldsAreInputErrors) {
  auto short_nonce = protocol::report_data("c", 1, Bytes(31, 0), "a", "b", 1);
  ASSERT_FALSE(short_nonce.ok());
  EXPECT_EQ(short_nonce.error().code, "INVALID_BINDING_INPUT");
  EXPECT_EQ(short_nonce.error().kind, ErrorKind::kInput);
  auto long_chain_id = protocol::report_data(std::string(65536, 'x'), 1, Bytes(32, 0), "a", "b", 1);
  ASSERT_FALSE(long_chain_id.ok());
  EXPECT_EQ(long_chain_id.error().kind, ErrorKind::kInput);
  auto nonce = protocol::epoch_nonce(std::string(65536, 'x'), 1, Bytes(32, 0));
  ASSERT_FALSE(nonce.ok());
  EXPECT_EQ(nonce.error().kind, ErrorKind::kInput);
}

TEST(Binding, AllowlistDigestAndNonceVectors) {
  const auto doc = testing::load_cosmos_json("snpattest-hash-vectors.json");
  const auto& a = doc["allowlist_digest"];
  EXPECT_EQ(to_hex(protocol::allowlist_signing_digest(hex_bytes(a["update_bytes"]))),
            a["expected"].get<std::string>());
  const auto& n = doc["epoch_nonce"];
  auto nonce = protocol::epoch_nonce(n["chain_id"].get<std::string>(), n["epoch"],
                                     hex_bytes(n["previous_block_hash"]));
  ASSERT_TRUE(nonce.ok());
  EXPECT_EQ(to_hex(*nonce), n["expected"].get<std::string>());
}

TEST(Binding, AllowlistSignatureVerifiesAndRejectsTampering) {
  const SecretBytes priv(std::span<const std::uint8_t>(Bytes(32, 0x11)));
  auto pub = crypto::public_key_of(priv);
  ASSERT_TRUE(pub.ok());
  const Bytes update = hex_bytes("0a0b74657374636861696e2d311001");
  const auto digest = protocol::allowlist_signing_digest(update);
  auto sig = crypto::sign_digest(priv, digest);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(crypto::verify_digest(*pub, digest, *sig));
  Bytes changed = update;
  changed.back() ^= 1;
  EXPECT_FALSE(crypto::verify_digest(*pub, protocol::allowlist_signing_digest(changed), *sig));
  // High-S form of the same signature (s' = n - s) is refused, as the SDK refuses malleable signatures.
  static const Bytes kOrder = hex_bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  Bytes high(sig->begin(), sig->end());
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kOrder[static_cast<std::size_t>(i)] - high[32 + static_cast<std::size_t>(i)] - borrow;
    borrow = d < 0;
    high[32 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  EXPECT_FALSE(crypto::verify_digest(*pub, digest, high));
  EXPECT_FALSE(crypto::verify_digest(*pub, digest, Bytes(63, 1)));
}

}  // namespace
}  // namespace snprelay::chain
