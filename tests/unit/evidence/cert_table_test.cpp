#include "attest/evidence/cert_table.hpp"

#include <gtest/gtest.h>

namespace snprelay::attest {
namespace {

void put_le32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

TEST(CertTable, GuidsAreAmdsInPrintedOrder) {
  EXPECT_EQ(guid_to_string(guid_of(CertKind::kVcek)), "63da758d-e664-4564-adc5-f4b93be8accd");
  EXPECT_EQ(guid_to_string(guid_of(CertKind::kVlek)), "a8074bc2-a25a-483e-aae6-39c045a0b8a1");
  EXPECT_EQ(guid_to_string(guid_of(CertKind::kAsk)), "4ab7b379-bbac-4fe4-a02f-05aef327c782");
  EXPECT_EQ(guid_to_string(guid_of(CertKind::kArk)), "c0b406a4-a803-4952-9743-3fb6014cd0ae");
  EXPECT_EQ(guid_to_string(guid_of(CertKind::kCrl)), "92f81bc3-5811-4d3d-97ff-d19f88dc67ea");
}

TEST(CertTable, RoundTripsAndPadsToPages) {
  std::vector<CertEntry> in = {{guid_of(CertKind::kVcek), CertKind::kVcek, Bytes(1300, 0xAA)},
                               {guid_of(CertKind::kAsk), CertKind::kAsk, Bytes(1600, 0xBB)},
                               {guid_of(CertKind::kArk), CertKind::kArk, Bytes(1600, 0xCC)}};
  const Bytes table = serialize_cert_table(in);
  EXPECT_EQ(table.size(), 8192u);
  // First entry: VCEK GUID, offset just past the 4-entry header, its length.
  EXPECT_EQ(table[16], 96);
  EXPECT_EQ(table[20] | table[21] << 8, 1300);
  auto out = parse_cert_table(table);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0].kind, CertKind::kVcek);
  EXPECT_EQ((*out)[0].data, in[0].data);
  EXPECT_EQ((*out)[2].kind, CertKind::kArk);
  EXPECT_EQ(find_cert(*out, CertKind::kAsk)->data, in[1].data);
  EXPECT_EQ(find_cert(*out, CertKind::kVlek), nullptr);
}

TEST(CertTable, EmptyOrZeroedBufferMeansNoCertificates) {
  EXPECT_TRUE(parse_cert_table({})->empty());
  EXPECT_TRUE(parse_cert_table(Bytes(4096, 0))->empty());
}

TEST(CertTable, UnknownGuidsAreKept) {
  Guid odd{};
  odd.fill(0x11);
  auto out = parse_cert_table(serialize_cert_table({{odd, CertKind::kUnknown, Bytes(10, 1)}}));
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].kind, CertKind::kUnknown);
  EXPECT_EQ((*out)[0].guid, odd);
}

TEST(CertTable, OutOfBoundsEntryIsRejected) {
  Bytes table = serialize_cert_table({{guid_of(CertKind::kVcek), CertKind::kVcek, Bytes(100, 1)}});
  put_le32(table, 20, 5000);  // length past the 4096-byte buffer
  auto out = parse_cert_table(table);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "BAD_CERT_TABLE");
  EXPECT_NE(out.error().message.find("runs past the buffer"), std::string::npos);
  EXPECT_NE(out.error().message.find("63da758d"), std::string::npos);
}

TEST(CertTable, OffsetIntoTableIsRejected) {
  Bytes table = serialize_cert_table({{guid_of(CertKind::kVcek), CertKind::kVcek, Bytes(100, 1)}});
  put_le32(table, 16, 8);
  auto out = parse_cert_table(table);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("points into the table"), std::string::npos);
}

TEST(CertTable, MissingTerminatorIsRejected) {
  Bytes table(48, 0xEE);
  auto out = parse_cert_table(table);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "BAD_CERT_TABLE");
}

TEST(CertTable, ZeroLengthEntryIsRejected) {
  Bytes table = serialize_cert_table({{guid_of(CertKind::kAsk), CertKind::kAsk, Bytes(1, 1)}});
  put_le32(table, 20, 0);
  auto out = parse_cert_table(table);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("length 0"), std::string::npos);
}

}  // namespace
}  // namespace snprelay::attest
