// TCB layouts per product (docs/snp-report.md "TCB_VERSION") and the component-wise comparisons.
#include "attest/tcb.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "common/ascii.hpp"

namespace snprelay::attest {
namespace {

std::uint8_t byte_at(std::uint64_t raw, int index) {
  return static_cast<std::uint8_t>(raw >> (8 * index));
}

std::uint64_t put(std::uint8_t value, int index) {
  return static_cast<std::uint64_t>(value) << (8 * index);
}

}  // namespace

std::string_view product_name(Product product) {
  switch (product) {
    case Product::kMilan:
      return "Milan";
    case Product::kGenoa:
      return "Genoa";
    case Product::kTurin:
      return "Turin";
    case Product::kUnknown:
      break;
  }
  return "unknown";
}

std::optional<Product> parse_product(std::string_view name) {
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if (ascii_iequals(name, product_name(p)))
      return p;
  }
  return std::nullopt;
}

Product product_from_cpuid(std::uint8_t family, std::uint8_t model) {
  if (family == 0x19) {
    if (model <= 0x0F)
      return Product::kMilan;
    if (model <= 0x1F || (model >= 0xA0 && model <= 0xAF))
      return Product::kGenoa;
  }
  if (family == 0x1A && model <= 0x11)
    return Product::kTurin;
  return Product::kUnknown;
}

TcbParts decode_tcb(std::uint64_t raw, Product product) {
  TcbParts t;
  if (product == Product::kTurin) {
    t.fmc = byte_at(raw, 0);
    t.bootloader = byte_at(raw, 1);
    t.tee = byte_at(raw, 2);
    t.snp = byte_at(raw, 3);
    t.reserved = static_cast<std::uint32_t>((raw >> 32) & 0xFFFFFF);
  } else {
    t.bootloader = byte_at(raw, 0);
    t.tee = byte_at(raw, 1);
    t.reserved = static_cast<std::uint32_t>((raw >> 16) & 0xFFFFFFFF);
    t.snp = byte_at(raw, 6);
  }
  t.microcode = byte_at(raw, 7);
  return t;
}

std::uint64_t encode_tcb(const TcbParts& t, Product product) {
  if (product == Product::kTurin) {
    return put(t.fmc.value_or(0), 0) | put(t.bootloader, 1) | put(t.tee, 2) | put(t.snp, 3) |
           (static_cast<std::uint64_t>(t.reserved & 0xFFFFFF) << 32) | put(t.microcode, 7);
  }
  return put(t.bootloader, 0) | put(t.tee, 1) | (static_cast<std::uint64_t>(t.reserved) << 16) |
         put(t.snp, 6) | put(t.microcode, 7);
}

std::optional<MinTcb> parse_min_tcb(std::string_view text, std::string* why) {
  MinTcb min;
  bool seen[5] = {false, false, false, false, false};
  const char* names[5] = {"bl", "tee", "snp", "ucode", "fmc"};
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      *why = "expected key=value, got '" + std::string(item) + "'";
      return std::nullopt;
    }
    const std::string_view key = item.substr(0, eq);
    const std::string_view val = item.substr(eq + 1);
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(val.data(), val.data() + val.size(), value);
    if (ec != std::errc() || ptr != val.data() + val.size() || value > 255) {
      *why = "value of '" + std::string(key) + "' must be 0..255, got '" + std::string(val) + "'";
      return std::nullopt;
    }
    const auto idx = static_cast<std::size_t>(std::find(names, names + 5, key) - names);
    if (idx == 5) {
      *why = "unknown component '" + std::string(key) + "' (allowed: bl, tee, snp, ucode, fmc)";
      return std::nullopt;
    }
    if (seen[idx]) {
      *why = "component '" + std::string(key) + "' given twice";
      return std::nullopt;
    }
    seen[idx] = true;
    const auto v = static_cast<std::uint8_t>(value);
    switch (idx) {
      case 0:
        min.bootloader = v;
        break;
      case 1:
        min.tee = v;
        break;
      case 2:
        min.snp = v;
        break;
      case 3:
        min.microcode = v;
        break;
      default:
        min.fmc = v;
        break;
    }
  }
  return min;
}

bool tcb_meets(const TcbParts& tcb, const MinTcb& min) {
  if (tcb.fmc && *tcb.fmc < min.fmc)
    return false;
  return tcb.bootloader >= min.bootloader && tcb.tee >= min.tee && tcb.snp >= min.snp &&
         tcb.microcode >= min.microcode;
}

bool tcb_le(const TcbParts& a, const TcbParts& b) {
  if (a.fmc && b.fmc && *a.fmc > *b.fmc)
    return false;
  return a.bootloader <= b.bootloader && a.tee <= b.tee && a.snp <= b.snp && a.microcode <= b.microcode;
}

std::string describe_tcb(std::uint64_t raw, Product product) {
  const TcbParts t = decode_tcb(raw, product);
  char buf[96];
  std::string out;
  if (t.fmc)
    out = "fmc=" + std::to_string(*t.fmc) + " ";
  std::snprintf(buf, sizeof buf, "bl=%u tee=%u snp=%u ucode=%u (0x%016llx)", t.bootloader, t.tee, t.snp,
                t.microcode, static_cast<unsigned long long>(raw));
  return out + buf;
}

std::string describe_min_tcb(const MinTcb& min) {
  std::string out = "bl=" + std::to_string(min.bootloader) + " tee=" + std::to_string(min.tee) +
                    " snp=" + std::to_string(min.snp) + " ucode=" + std::to_string(min.microcode);
  if (min.fmc != 0)
    out += " fmc=" + std::to_string(min.fmc);
  return out;
}

}  // namespace snprelay::attest
