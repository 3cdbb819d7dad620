// Shared helpers for the attest unit tests: test-data paths and the fixed verification time.
#pragma once

#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "common/hex.hpp"

namespace snprelay::testing {

// 2026-06-01T00:00:00Z: every real VCEK in tests/data/snp is valid then (the Genoa VCEK was issued
// 2026-01-11, so 2026-01-01 would be too early for it).
inline constexpr std::time_t kFixedTime = 1780272000;

inline std::string snp_path(const std::string& name) {
  return std::string(SNPRELAY_TEST_DATA) + "/snp/" + name;
}

inline Bytes snp_file(const std::string& name) {
  auto bytes = read_file(snp_path(name));
  EXPECT_TRUE(bytes.ok()) << name;
  return bytes.ok() ? *bytes : Bytes{};
}

}  // namespace snprelay::testing
