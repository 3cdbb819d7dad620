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

Status check_kds_product(const std::string& product) {
  if (product == "Milan" || product == "Genoa" || product == "Turin")
    return ok_status();
  return make_error("attest", "BAD_PRODUCT",
                    "unknown AMD product \"" + product +
                        "\" (KDS knows Milan, Genoa and Turin; Siena and Bergamo "
                        "use Genoa)");
}

Result<std::string> vlek_base(const std::string& vcek_base) {
  std::string b = trim_slash(vcek_base);
  const std::string suffix = "/vcek/v1";
  if (b.size() < suffix.size() || b.compare(b.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return make_error("attest", "BAD_URL", "KDS base URL " + vcek_base + " does not end in /vcek/v1");
  }
  return b.substr(0, b.size() - suffix.size()) + "/vlek/v1";
}

Result<std::string> vcek_url(const std::string& base, const std::string& product,
                             std::span<const std::uint8_t> chip_id, const KdsTcb& tcb) {
  if (Status st = check_kds_product(product); !st)
    return st.error();
  if (chip_id.size() != 64) {
    return make_error("attest", "BAD_CHIP_ID",
                      "CHIP_ID must be 64 bytes, got " + std::to_string(chip_id.size()));
  }
  const bool turin = product == "Turin";
  const auto hwid = chip_id.first(turin ? 8 : 64);
  if (std::all_of(hwid.begin(), hwid.end(), [](std::uint8_t b) { return b == 0; })) {
    return make_error("attest", "BAD_CHIP_ID",
                      "CHIP_ID is all zero (MASK_CHIP_ID is set): KDS cannot serve a VCEK for it; use the "
                      "host-provided certificate or a VLEK");
  }
  std::string url = trim_slash(base) + "/" + product + "/" + to_hex(hwid) + "?";
  if (turin) {
    if (!tcb.fmc)
      return make_error("attest", "BAD_TCB", "a Turin VCEK request needs the FMC SPL");
    url += "fmcSPL=" + std::to_string(*tcb.fmc) + "&";
  }
  url += "blSPL=" + std::to_string(tcb.bootloader) + "&teeSPL=" + std::to_string(tcb.tee) +
         "&snpSPL=" + std::to_string(tcb.snp) + "&ucodeSPL=" + std::to_string(tcb.microcode);
  return url;
}

Result<std::string> chain_url(const std::string& base, const std::string& product, KdsSigner signer) {
  if (Status st = check_kds_product(product); !st)
    return st.error();
  auto b = base_for(base, signer);
  if (!b)
    return b.error();
  return *b + "/" + product + "/cert_chain";
}

Result<std::string> crl_url(const std::string& base, const std::string& product, KdsSigner signer) {
  if (Status st = check_kds_product(product); !st)
    return st.error();
  auto b = base_for(base, signer);
  if (!b)
    return b.error();
  return *b + "/" + product + "/crl";
}

}  // namespace snprelay::attest
