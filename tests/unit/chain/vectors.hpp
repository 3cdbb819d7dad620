// Loads the JSON vector files from tests/data/cosmos (see PROVENANCE.md there).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/hex.hpp"
#include "common/secret.hpp"

namespace snprelay::testing {

inline nlohmann::json load_cosmos_json(const std::string& name) {
  std::ifstream in(std::string(SNPRELAY_TEST_DATA) + "/cosmos/" + name);
  return nlohmann::json::parse(in);
}

inline Bytes hex_bytes(const std::string& hex) {
  auto b = from_hex(hex);
  return b.ok() ? *b : Bytes{};
}

inline SecretBytes secret(const std::string& text) {
  return SecretBytes::from_string(text);
}

}  // namespace snprelay::testing
