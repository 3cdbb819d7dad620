#include "chain/tx/coins.hpp"

#include <algorithm>

namespace snprelay::chain::tx {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

Result<Coin> parse_coin(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return make_error("chain", "INVALID_COIN", "coin \"" + std::string(text) + "\": " + why,
                      ErrorKind::kInput);
  };
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i]))
    ++i;
  if (i == 0)
    return bad("must start with a decimal amount");
  if (i > 1 && text[0] == '0')
    return bad("amount has a leading zero");
  if (i > 78)
    return bad("amount too large");
  const std::string_view denom = text.substr(i);
  if (denom.size() < 3 || denom.size() > 128 || !is_alpha(denom[0]))
    return bad("denom must be 3..128 characters starting with a letter");
  for (const char c : denom)
    if (!is_alpha(c) && !is_digit(c) && c != '/' && c != ':' && c != '.' && c != '_' && c != '-')
      return bad(std::string("denom character '") + c + "' not allowed");
  return Coin{std::string(denom), std::string(text.substr(0, i))};
}

Result<std::vector<Coin>> parse_coins(std::string_view text) {
  std::vector<Coin> out;
  if (text.empty())
    return out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos)
      end = text.size();
    auto coin = parse_coin(text.substr(start, end - start));
    if (!coin)
      return coin.error();
    if (coin->amount == "0")
      return make_error("chain", "INVALID_COIN", "zero amount for " + coin->denom, ErrorKind::kInput);
    out.push_back(std::move(*coin));
    start = end + 1;
  }
  std::sort(out.begin(), out.end(), [](const Coin& a, const Coin& b) { return a.denom < b.denom; });
  for (std::size_t k = 1; k < out.size(); ++k)
    if (out[k].denom == out[k - 1].denom)
      return make_error("chain", "INVALID_COIN", "duplicate denom " + out[k].denom, ErrorKind::kInput);
  return out;
}

std::string format_coins(const std::vector<Coin>& coins) {
  std::string out;
  for (const auto& c : coins) {
    if (!out.empty())
      out += ',';
    out += c.amount + c.denom;
  }
  return out;
}

}  // namespace snprelay::chain::tx
