// Values the TPM integration tests share: a recognisable test secret and a PCR selection from a list.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attest/tpm/pcr.hpp"
#include "common/secret.hpp"

namespace snprelay::attest::tpm {

// n bytes of printable, position-dependent data (easy to spot in a trace or a file).
inline SecretBytes test_secret(std::size_t n = 32) {
  SecretBytes s(n);
  for (std::size_t i = 0; i < n; ++i)
    s.data()[i] = static_cast<std::uint8_t>(0x40 + (i * 7) % 50);
  return s;
}

// parse_pcr_list(list), failing the test when the list does not parse.
inline PcrSelection pcrs(std::string_view list) {
  auto sel = parse_pcr_list(list);
  EXPECT_TRUE(sel.ok());
  return sel.ok() ? *sel : PcrSelection{};
}

}  // namespace snprelay::attest::tpm
