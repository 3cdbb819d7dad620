#include <gtest/gtest.h>

#include "common/hex.hpp"
#include "common/log.hpp"
#include "common/secret.hpp"

namespace snprelay {
namespace {

TEST(Hex, RoundTripsAndRejectsBadInput) {
  const Bytes b = {0x00, 0x7f, 0xab, 0xff};
  EXPECT_EQ(to_hex(b), "007fabff");
  EXPECT_EQ(*from_hex("007FABFF"), b);
  EXPECT_EQ(*from_hex("0x007fabff"), b);
  auto odd = from_hex("abc");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().code, "ODD_LENGTH");
  auto bad = from_hex("zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "not a hex digit at position 0: 'z'");
}

TEST(Secret, MoveLeavesSourceEmptyAndCompares) {
  SecretBytes a = SecretBytes::from_string("hunter2");
  SecretBytes b = a;
  EXPECT_TRUE(a.equals(b));
  SecretBytes c = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_TRUE(c.equals(b));
  EXPECT_FALSE(c.equals(SecretBytes::from_string("hunter3")));
  c.clear();
  EXPECT_TRUE(c.empty());
}

TEST(Log, ParsesLevelsAndFormats) {
  EXPECT_EQ(*parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(*parse_log_level("off"), spdlog::level::off);
  EXPECT_FALSE(parse_log_level("loud").ok());
  EXPECT_EQ(*parse_log_format("json"), LogFormat::kJson);
  auto bad = parse_log_format("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("text, json"), std::string::npos);
}

TEST(Result, CarriesValueOrError) {
  Result<int> good(5);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  Result<int> bad(make_error("x", "CODE", "msg"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().to_string(), "x CODE: msg");
}

}  // namespace
}  // namespace snprelay
