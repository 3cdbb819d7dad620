#include "config/formats.hpp"

#include <algorithm>
#include <cstdint>

namespace snprelay::config {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string shown(char c) {
  if (c >= 0x20 && c < 0x7f)
    return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  const auto u = static_cast<unsigned char>(c);
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
}

}  // namespace

std::string key_name_problem(std::string_view s) {
  if (s.empty() || s.size() > 64)
    return "must be 1..64 characters";
  if (s.front() == '.')
    return "must not start with '.'";
  for (char c : s) {
    const bool ok = is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-';
    if (!ok)
      return "contains " + shown(c) + "; allowed: A-Z a-z 0-9 . _ -";
  }
  return {};
}

std::string hd_path_problem(std::string_view s) {
  if (!s.starts_with("m/"))
    return "must start with m/ (e.g. m/44'/118'/0'/0/0)";
  std::string_view rest = s.substr(2);
  int depth = 0;
  while (true) {
    const auto slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (!part.empty() && (part.back() == '\'' || part.back() == 'h'))
      part.remove_suffix(1);
    if (part.empty() || !std::all_of(part.begin(), part.end(), is_digit))
      return "component " + std::to_string(depth + 1) + " is not an index (digits, optionally followed by ')";
    if (part.size() > 1 && part.front() == '0')
      return "component " + std::to_string(depth + 1) + " has a leading zero";
    if (part.size() > 10 || std::stoull(std::string(part)) >= (std::uint64_t{1} << 31))
      return "component " + std::to_string(depth + 1) + " is not below 2^31";
    if (++depth > 10)
      return "has more than 10 components";
    if (slash == std::string_view::npos)
      return {};
    rest.remove_prefix(slash + 1);
  }
}

std::string gas_price_problem(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i]))
    ++i;
  if (i == 0)
    return "must start with an amount, e.g. 0.025ustake";
  if (i < s.size() && s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i]))
      ++i;
    if (i == start)
      return "has no digits after the decimal point";
    if (i - start > 18)
      return "has more than 18 decimals";
  }
  const std::string_view denom = s.substr(i);
  if (denom.size() < 3 || denom.size() > 128)
    return "needs a denom of 3..128 characters after the amount, e.g. 0.025ustake";
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(denom.front()))
    return "the denom must start with a letter";
  for (char c : denom) {
    if (!(letter(c) || is_digit(c) || c == '/' || c == ':' || c == '.' || c == '_' || c == '-'))
      return "the denom contains " + shown(c);
  }
  return {};
}

std::string bech32_prefix_problem(std::string_view s) {
  if (s.empty() || s.size() > 83)
    return "must be 1..83 characters";
  if (!(s.front() >= 'a' && s.front() <= 'z'))
    return s.front() >= 'A' && s.front() <= 'Z' ? "must be lower case" : "must start with a letter";
  for (char c : s) {
    if (c >= 'A' && c <= 'Z')
      return "must be lower case";
    if (!is_lower_alnum(c))
      return "contains " + shown(c) + "; allowed: a-z 0-9";
  }
  return {};
}

std::string address_problem(std::string_view s) {
  if (std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return "must be lower case";
  if (s.size() > 90)
    return "is longer than 90 characters";
  const auto sep = s.rfind('1');
  if (sep == std::string_view::npos || sep == 0)
    return "is not a bech32 address (prefix, '1', data)";
  if (std::string p = bech32_prefix_problem(s.substr(0, sep)); !p.empty())
    return "has a bad prefix: " + p;
  const std::string_view data = s.substr(sep + 1);
  if (data.size() < 6)
    return "is too short for a bech32 address";
  static constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  for (char c : data) {
    if (kCharset.find(c) == std::string_view::npos)
      return "contains " + shown(c) + ", not in the bech32 alphabet";
  }
  return {};
}

}  // namespace snprelay::config
