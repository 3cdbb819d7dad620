#include "relayer/app/report_json.hpp"

#include <cstdio>

#include "attest/report_bits.hpp"
#include "common/hex.hpp"
#include "relayer/app/text.hpp"

namespace snprelay::app {

using nlohmann::ordered_json;
using namespace snprelay::attest;

std::string hex64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

ordered_json tcb_json(std::uint64_t raw, Product product) {
  const TcbParts t = decode_tcb(raw, product);
  ordered_json j;
  if (t.fmc)
    j["fmc"] = *t.fmc;
  j["bootloader"] = t.bootloader;
  j["tee"] = t.tee;
  j["snp"] = t.snp;
  j["microcode"] = t.microcode;
  j["raw"] = hex64(raw);
  return j;
}

Product show_product(const Report& r, std::optional<Product> forced) {
  if (forced)
    return *forced;
  return r.has_cpuid() ? product_from_cpuid(r.cpuid_fam_id, r.cpuid_mod_id) : Product::kUnknown;
}

ordered_json report_json(const Report& r, Product product) {
  const GuestPolicy p = decode_policy(r.policy);
  const PlatformInfo pi = decode_platform_info(r.platform_info);
  const KeyInfo k = decode_key_info(r.key_info);
  ordered_json j;
  j["version"] = r.version;
  j["guest_svn"] = r.guest_svn;
  j["policy"] = {{"raw", hex64(r.policy)},
                 {"abi_major", p.abi_major},
                 {"abi_minor", p.abi_minor},
                 {"smt", p.smt},
                 {"reserved_bit17", p.reserved_must_be_one},
                 {"migrate_ma", p.migrate_ma},
                 {"debug", p.debug},
                 {"single_socket", p.single_socket},
                 {"cxl_allow", p.cxl_allow},
                 {"mem_aes_256_xts", p.mem_aes_256_xts},
                 {"rapl_dis", p.rapl_dis},
                 {"ciphertext_hiding", p.ciphertext_hiding},
                 {"page_swap_disable", p.page_swap_disable}};
  j["family_id"] = to_hex(r.family_id);
  j["image_id"] = to_hex(r.image_id);
  j["vmpl"] = r.vmpl;
  j["signature_algo"] = r.signature_algo;
  j["current_tcb"] = tcb_json(r.current_tcb, product);
  j["platform_info"] = {{"raw", hex64(r.platform_info)},
                        {"smt_en", pi.smt_en},
                        {"tsme_en", pi.tsme_en},
                        {"ecc_en", pi.ecc_en},
                        {"rapl_dis", pi.rapl_dis},
                        {"ciphertext_hiding_en", pi.ciphertext_hiding_en},
                        {"alias_check_complete", pi.alias_check_complete},
                        {"tio_en", pi.tio_en}};
  const char* signer = k.signing_key == 0   ? "vcek"
                       : k.signing_key == 1 ? "vlek"
                       : k.signing_key == 7 ? "none"
                                            : "reserved";
  j["key_info"] = {{"raw", hex64(r.key_info)},
                   {"author_key_en", k.author_key_en},
                   {"mask_chip_key", k.mask_chip_key},
                   {"signing_key", signer}};
  j["report_data"] = to_hex(r.report_data);
  j["measurement"] = to_hex(r.measurement);
  j["host_data"] = to_hex(r.host_data);
  j["id_key_digest"] = to_hex(r.id_key_digest);
  j["author_key_digest"] = to_hex(r.author_key_digest);
  j["report_id"] = to_hex(r.report_id);
  j["report_id_ma"] = to_hex(r.report_id_ma);
  j["reported_tcb"] = tcb_json(r.reported_tcb, product);
  if (r.has_cpuid()) {
    j["cpuid_fam_id"] = r.cpuid_fam_id;
    j["cpuid_mod_id"] = r.cpuid_mod_id;
    j["cpuid_step"] = r.cpuid_step;
  }
  j["chip_id"] = to_hex(r.chip_id);
  j["committed_tcb"] = tcb_json(r.committed_tcb, product);
  j["current_build"] = r.current_build;
  j["current_minor"] = r.current_minor;
  j["current_major"] = r.current_major;
  j["committed_build"] = r.committed_build;
  j["committed_minor"] = r.committed_minor;
  j["committed_major"] = r.committed_major;
  j["launch_tcb"] = tcb_json(r.launch_tcb, product);
  if (r.has_mitigation_vectors()) {
    j["launch_mit_vector"] = hex64(r.launch_mit_vector);
    j["current_mit_vector"] = hex64(r.current_mit_vector);
  }
  j["signature_r"] = to_hex(std::span(r.signature_r).first(48));
  j["signature_s"] = to_hex(std::span(r.signature_s).first(48));
  j["product"] = std::string(product_name(product));
  return j;
}

ordered_json verdict_json(const Verdict& v) {
  ordered_json failures = ordered_json::array();
  for (const auto& f : v.failures)
    failures.push_back(
        {{"code", std::string(failure_code_name(f.code))}, {"message", escape_text(f.message)}});
  ordered_json out = {
      {"accepted", v.accepted()}, {"failures", failures}, {"product", std::string(product_name(v.product))}};
  if (v.report) {
    out["version"] = v.report->version;
    out["measurement"] = to_hex(v.report->measurement);
    out["report_data"] = to_hex(v.report->report_data);
    out["chip_id"] = to_hex(v.report->chip_id);
    out["reported_tcb"] = tcb_json(v.report->reported_tcb, v.product);
  }
  return out;
}

ordered_json health_json(const std::optional<Error>& last_error) {
  if (!last_error)
    return {{"status", "ok"}};
  const bool degraded =
      last_error->kind == ErrorKind::kUnavailable || last_error->kind == ErrorKind::kInternal;
  ordered_json out = {{"status", degraded ? "degraded" : "ok"}};
  out.update(error_json(*last_error));
  return out;
}

}  // namespace snprelay::app
