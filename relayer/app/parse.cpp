#include "relayer/app/parse.hpp"

namespace snprelay::app {
namespace {

Error bad_flag(std::string_view flag, const std::string& message) {
  return make_error("app", "BAD_FLAG", std::string(flag) + ": " + message, ErrorKind::kInput);
}

std::string quoted(std::string_view text) {
  return "\"" + std::string(text.substr(0, 80)) + (text.size() > 80 ? "...\"" : "\"");
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Exactly `n` decimal digits at text[pos..].
bool fixed_digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > text.size())
    return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(text[i]))
      return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

Result<std::uint64_t> parse_unsigned(std::string_view flag, std::string_view text, std::uint64_t max) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string_view digits = hex ? text.substr(2) : text;
  if (digits.empty())
    return bad_flag(flag, quoted(text) + " is not an unsigned integer");
  const std::uint64_t base = hex ? 16 : 10;
  std::uint64_t v = 0;
  for (const char c : digits) {
    const int d = is_digit(c)                   ? c - '0'
                  : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                : -1;
    if (d < 0)
      return bad_flag(flag, quoted(text) + " is not an unsigned integer");
    if (v > (max - static_cast<std::uint64_t>(d)) / base)
      return bad_flag(flag, quoted(text) + " is larger than " + std::to_string(max));
    v = v * base + static_cast<std::uint64_t>(d);
  }
  return v;
}

Result<Bytes> parse_hex_bytes(std::string_view flag, std::string_view text, std::size_t size, bool exact) {
  if (text.empty())
    return bad_flag(flag, "empty; expected " + std::string(exact ? "" : "up to ") + std::to_string(size) +
                              " bytes of hex");
  auto bytes = from_hex(text);
  if (!bytes)
    return bad_flag(flag, bytes.error().message);
  if (bytes->size() > size || (exact && bytes->size() != size))
    return bad_flag(flag, "expected " + std::string(exact ? "" : "up to ") + std::to_string(size) +
                              " bytes, got " + std::to_string(bytes->size()));
  return bytes;
}

Result<Bytes> parse_nonempty_hex(std::string_view flag, std::string_view text) {
  auto bytes = from_hex(text);
  if (!bytes)
    return bad_flag(flag, bytes.error().message);
  if (bytes->empty())
    return bad_flag(flag, "empty; expected at least one byte of hex");
  return bytes;
}

Result<std::time_t> parse_rfc3339(std::string_view flag, std::string_view text) {
  const auto bad = [&] {
    return bad_flag(flag, quoted(text) + " is not an RFC 3339 time such as 2026-01-01T00:00:00Z");
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!fixed_digits(text, 0, 4, y) || text.size() < 19 || text[4] != '-' || !fixed_digits(text, 5, 2, mo) ||
      text[7] != '-' || !fixed_digits(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't') ||
      !fixed_digits(text, 11, 2, h) || text[13] != ':' || !fixed_digits(text, 14, 2, mi) || text[16] != ':' ||
      !fixed_digits(text, 17, 2, s))
    return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60)
    return bad_flag(flag, quoted(text) + " is not a real date and time");
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos]))
      ++pos;
    if (pos == start)
      return bad();
  }
  std::int64_t offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!fixed_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !fixed_digits(text, pos + 4, 2, om))
      return bad();
    if (oh > 23 || om > 59)
      return bad_flag(flag, quoted(text) + " has an offset outside -23:59..+23:59");
    offset = (std::int64_t{oh} * 3600 + std::int64_t{om} * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size())
    return bad();
  const std::int64_t secs =
      days_from_civil(y, mo, d) * 86400 + std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + s - offset;
  return static_cast<std::time_t>(secs);
}

}  // namespace snprelay::app
