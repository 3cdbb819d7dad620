#include "attest/kds/kds_url.hpp"

#include <algorithm>

#include "common/hex.hpp"

namespace snprelay::attest {
namespace {

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

Result<std::string> base_for(const std::string& base, KdsSigner signer) {
  if (signer == KdsSigner::kVlek)
    return vlek_base(base);
  return trim_slash(base);
}

}  // namespace

Result<Product> kds_product(std::string_view name) {
  if (const auto p = parse_product(name))
    return *p;
  return make_error("attest", "BAD_PRODUCT",
                    "unknown AMD product \"" + std::string(name) +
                        "\" (KDS knows Milan, Genoa and Turin; Siena and Bergamo use Genoa)",
                    ErrorKind::kInput);
}

namespace {
Result<std::string> product_path(Product product) {
  if (product == Product::kUnknown) {
    return make_error("attest", "BAD_PRODUCT", "the AMD product is unknown; name it (Milan, Genoa or Turin)",
                      ErrorKind::kInput);
  }
  return std::string(product_name(product));
}
}  // namespace

Result<std::string> vlek_base(const std::string& vcek_base) {
  std::string b = trim_slash(vcek_base);
  const std::string suffix = "/vcek/v1";
  if (b.size() < suffix.size() || b.compare(b.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return make_error("attest", "BAD_URL", "KDS base URL " + vcek_base + " does not end in /vcek/v1",
                      ErrorKind::kInput);
  }
  return b.substr(0, b.size() - suffix.size()) + "/vlek/v1";
}

Result<std::string> vcek_url(const std::string& base, Product product, std::span<const std::uint8_t> chip_id,
                             const TcbParts& tcb) {
  auto name = product_path(product);
  if (!name)
    return name.error();
  if (chip_id.size() != 64) {
    return make_error("attest", "BAD_CHIP_ID",
                      "CHIP_ID must be 64 bytes, got " + std::to_string(chip_id.size()), ErrorKind::kInput);
  }
  const bool turin = product == Product::kTurin;
  const auto hwid = chip_id.first(turin ? 8 : 64);
  if (std::all_of(hwid.begin(), hwid.end(), [](std::uint8_t b) { return b == 0; })) {
    return make_error("attest", "BAD_CHIP_ID",
                      "CHIP_ID is all zero (MASK_CHIP_ID is set): KDS cannot serve a VCEK for it; use the "
                      "host-provided certificate or a VLEK",
                      ErrorKind::kInput);
  }
  std::string url = trim_slash(base) + "/" + *name + "/" + to_hex(hwid) + "?";
  if (turin) {
    if (!tcb.fmc)
      return make_error("attest", "BAD_TCB", "a Turin VCEK request needs the FMC SPL", ErrorKind::kInput);
    url += "fmcSPL=" + std::to_string(*tcb.fmc) + "&";
  }
  url += "blSPL=" + std::to_string(tcb.bootloader) + "&teeSPL=" + std::to_string(tcb.tee) +
         "&snpSPL=" + std::to_string(tcb.snp) + "&ucodeSPL=" + std::to_string(tcb.microcode);
  return url;
}

namespace {
// {base or its /vlek/v1 sibling}/{product}/{leaf}
Result<std::string> product_resource(const std::string& base, Product product, KdsSigner signer,
                                     const char* leaf) {
  auto name = product_path(product);
  if (!name)
    return name.error();
  auto b = base_for(base, signer);
  if (!b)
    return b.error();
  return *b + "/" + *name + "/" + leaf;
}
}  // namespace

Result<std::string> chain_url(const std::string& base, Product product, KdsSigner signer) {
  return product_resource(base, product, signer, "cert_chain");
}

Result<std::string> crl_url(const std::string& base, Product product, KdsSigner signer) {
  return product_resource(base, product, signer, "crl");
}

}  // namespace snprelay::attest
