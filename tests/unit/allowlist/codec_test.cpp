// AllowlistUpdate bytes: canonical encoding, strict decoding (as the Go module's DecodeAllowlistUpdate),
// shape rules, and the query codecs.
#include "allowlist/codec.hpp"

#include <gtest/gtest.h>

#include "tests/unit/allowlist/fixtures.hpp"

namespace snprelay::allowlist {
namespace {

using namespace testing;

Update full_update() {
  Entry a = entry(0xa1, "A");
  a.min_guest_svn = 7;
  a.policy_mask = ~0ULL;
  a.policy_value = 0x30000;
  a.family_id = Bytes(16, 1);
  a.image_id = Bytes(16, 2);
  a.host_data = Bytes(32, 3);
  a.expiry_height = 99;
  Update u = update(4, Bytes{1, 2, 3}, {a, entry(0xb2)}, {measurement(0xc3)});
  u.min_tcb.push_back({"Genoa", 1, 2, 3, 4, 0});
  u.valid_until_height = 1234;
  u.memo = "memo";
  // Fields 9-14 (revocation below the measurement): carried through decode and encode, never dropped
  // (the fuzz finding tests/data/fuzz/allowlist_update/regressions/deny_fields_dropped).
  u.deny_chip_id_sha256 = {Bytes(32, 0x11)};
  u.deny_cert_sha256 = {Bytes(32, 0x22), Bytes(32, 0x23)};
  u.withdraw_products = {"Milan"};
  u.undeny_chip_id_sha256 = {Bytes(32, 0x12)};
  u.undeny_cert_sha256 = {Bytes(32, 0x24)};
  u.restore_products = {"Turin"};
  return u;
}

TEST(AllowlistCodec, RoundTripsEveryField) {
  const Update u = full_update();
  const Bytes b = encode_update(u);
  auto d = decode_update(b);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(*d, u);
  EXPECT_EQ(encode_update(*d), b);
}

TEST(AllowlistCodec, DigestVectorOfTheGoModule) {
  // tests/data/cosmos/snpattest-hash-vectors.json: AllowlistUpdate{chain_id "testchain-1", version 1}.
  const Bytes b = *from_hex("0a0b74657374636861696e2d311001");
  EXPECT_EQ(to_hex(signing_digest(b)), "a4a4ae1b381ec5e48ad999707d11b8fd7e7e53415c8522f7ba16c3e43436c2ec");
  Update u;
  u.chain_id = "testchain-1";
  u.version = 1;
  EXPECT_EQ(encode_update(u), b);  // byte-identical to the independent encoding
  auto d = decode_update(b);       // canonical, but prev_hash is missing: refused by shape, like Go
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "MALFORMED_UPDATE");
  EXPECT_NE(d.error().message.find("prev_hash"), std::string::npos);
}

TEST(AllowlistCodec, RefusesNonCanonicalBytes) {
  const Bytes good = encode_update(full_update());
  struct Case {
    const char* name;
    Bytes bytes;
  };
  Bytes trailing = good;
  trailing.push_back(0);
  Bytes unknown_field = good;
  unknown_field.insert(unknown_field.end(), {0x48, 0x01});  // field 9 varint
  Bytes repeated_scalar = good;
  repeated_scalar.insert(repeated_scalar.end(), {0x10, 0x04});    // version again
  Bytes long_varint = *from_hex("0a0c736e702d6465766e65742d31");  // chain_id "snp-devnet-1"
  long_varint.insert(long_varint.end(), {0x10, 0x81, 0x00});      // version 1 as a 2-byte varint
  long_varint.insert(long_varint.end(), {0x1a, 0x20});
  long_varint.insert(long_varint.end(), 32, 0);
  Bytes out_of_order = *from_hex("1001");  // version before chain_id
  out_of_order.insert(out_of_order.end(), {0x0a, 0x01, 'c', 0x1a, 0x20});
  out_of_order.insert(out_of_order.end(), 32, 0);
  const Case cases[] = {{"trailing byte", trailing},
                        {"unknown field", unknown_field},
                        {"repeated scalar", repeated_scalar},
                        {"non-minimal varint", long_varint},
                        {"fields out of order", out_of_order},
                        {"garbage", Bytes{0xff, 0xff, 0xff}},
                        {"empty", Bytes{}}};
  for (const auto& c : cases) {
    auto d = decode_update(c.bytes);
    EXPECT_FALSE(d.ok()) << c.name;
    if (!d.ok()) {
      EXPECT_EQ(d.error().code, "MALFORMED_UPDATE") << c.name;
    }
  }
}

TEST(AllowlistCodec, ShapeRules) {
  struct Case {
    const char* name;
    void (*mutate)(Update&);
    const char* needle;
  };
  const Case cases[] = {
      {"empty chain id", [](Update& u) { u.chain_id.clear(); }, "chain_id"},
      {"version 0", [](Update& u) { u.version = 0; }, "version 0"},
      {"short prev_hash", [](Update& u) { u.prev_hash.resize(31); }, "prev_hash"},
      {"negative valid_until", [](Update& u) { u.valid_until_height = -1; }, "valid_until_height"},
      {"47-byte measurement", [](Update& u) { u.add[0].measurement.resize(47); }, "add[0]: measurement"},
      {"15-byte family id", [](Update& u) { u.add[0].family_id.resize(15); }, "family_id"},
      {"17-byte image id", [](Update& u) { u.add[0].image_id.resize(17); }, "image_id"},
      {"31-byte host data", [](Update& u) { u.add[0].host_data.resize(31); }, "host_data"},
      {"negative expiry", [](Update& u) { u.add[0].expiry_height = -5; }, "expiry_height"},
      {"added twice", [](Update& u) { u.add[1].measurement = u.add[0].measurement; }, "listed twice"},
      {"added and revoked", [](Update& u) { u.revoke.push_back(u.add[0].measurement); }, "also added"},
      {"revoked twice", [](Update& u) { u.revoke.push_back(u.revoke[0]); }, "revoked twice"},
      {"short revoke", [](Update& u) { u.revoke[0].resize(8); }, "revoke[0]"},
      {"unknown product", [](Update& u) { u.min_tcb[0].product = "Naples"; }, "unknown product"},
      {"product twice", [](Update& u) { u.min_tcb.push_back(u.min_tcb[0]); }, "listed twice"},
      {"31-byte chip hash", [](Update& u) { u.deny_chip_id_sha256[0].resize(31); }, "deny_chip_id_sha256[0]"},
      {"cert hash denied and undenied",
       [](Update& u) { u.undeny_cert_sha256.push_back(u.deny_cert_sha256[1]); }, "undeny_cert_sha256[1]"},
      {"chip hash denied twice", [](Update& u) { u.deny_chip_id_sha256.push_back(u.deny_chip_id_sha256[0]); },
       "listed twice"},
      {"unknown withdrawn product", [](Update& u) { u.withdraw_products[0] = "Rome"; },
       "withdraw_products[0]"},
      {"product withdrawn and restored", [](Update& u) { u.restore_products.push_back("Milan"); },
       "restore_products[1]"},
  };
  for (const auto& c : cases) {
    Update u = full_update();
    c.mutate(u);
    auto st = validate_shape(u);
    ASSERT_FALSE(st.ok()) << c.name;
    EXPECT_EQ(st.error().code, "MALFORMED_UPDATE") << c.name;
    EXPECT_NE(st.error().message.find(c.needle), std::string::npos) << c.name << ": " << st.error().message;
    EXPECT_FALSE(decode_update(encode_update(u)).ok()) << c.name;
  }
  EXPECT_TRUE(validate_shape(full_update()).ok());
}

TEST(AllowlistCodec, QueryCodecsRoundTrip) {
  auto chain = chain_of(3);
  auto back = decode_updates_response(encode_updates_response(chain));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, chain);
  auto set = decode_signers_response(encode_signers_response(gov_set()));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(*set, gov_set());
  EXPECT_EQ(to_hex(encode_updates_request(5, 100)), "08051064");
  EXPECT_FALSE(decode_updates_response(Bytes{0x0a, 0x05, 0x01}).ok());
}

}  // namespace
}  // namespace snprelay::allowlist
