// SNP report commands (issue #3):
//   snprelay report show FILE [--product P] [--json]   every field of a report, decoded
//   snprelay verify --report FILE --vcek FILE ...        the full verification, exit 0 accepted / 1 rejected
// Exit 2 when an input file cannot be read or a certificate/CRL/flag value cannot be parsed.
#include <CLI/CLI.hpp>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "attest/certs.hpp"
#include "attest/report.hpp"
#include "attest/report_bits.hpp"
#include "attest/verify.hpp"
#include "common/hex.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {
namespace {

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

void print_text(const ordered_json& j, const std::string& indent) {
  for (const auto& [key, value] : j.items()) {
    if (value.is_object()) {
      std::cout << indent << key << ":\n";
      print_text(value, indent + "  ");
    } else {
      std::cout << indent << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump())
                << "\n";
    }
  }
}

// Parses RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)".
std::optional<std::time_t> parse_rfc3339(const std::string& text) {
  struct tm tm {};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr)
    return std::nullopt;
  if (*rest == '.') {
    ++rest;
    while (*rest >= '0' && *rest <= '9')
      ++rest;
  }
  long offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    // "+HH:MM" or "-HH:MM", exactly.
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!digit(rest[1]) || !digit(rest[2]) || rest[3] != ':' || !digit(rest[4]) || !digit(rest[5]))
      return std::nullopt;
    const long hh = (rest[1] - '0') * 10 + (rest[2] - '0');
    const long mm = (rest[4] - '0') * 10 + (rest[5] - '0');
    offset = (hh * 3600L + mm * 60L) * (*rest == '-' ? -1 : 1);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0')
    return std::nullopt;
  return timegm(&tm) - offset;
}

template <std::size_t N>
bool parse_fixed_hex(const std::string& text, ByteArray<N>& out, std::string& why) {
  auto bytes = from_hex(text);
  if (!bytes) {
    why = bytes.error().message;
    return false;
  }
  if (bytes->size() != N) {
    why = "expected " + std::to_string(N) + " bytes, got " + std::to_string(bytes->size());
    return false;
  }
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

int usage_error(const std::string& message) {
  std::cerr << "snprelay: " << message << "\n";
  return kUsage;
}

struct VerifyArgs {
  std::string report, vcek, chain, product, crl, min_tcb, report_data, at;
  std::vector<std::string> trust_roots, measurements;
  std::vector<std::uint32_t> vmpls;
  bool allow_debug = false, allow_vlek = false, deny_smt = false, json = false;
};

int run_verify(const VerifyArgs& a) {
  auto report = read_file(a.report);
  if (!report)
    return usage_error("--report: " + report.error().to_string());
  auto vcek_bytes = read_file(a.vcek);
  if (!vcek_bytes)
    return usage_error("--vcek: " + vcek_bytes.error().to_string());
  auto vcek = parse_certs_any(*vcek_bytes);
  if (!vcek)
    return usage_error("--vcek " + a.vcek + ": " + vcek.error().message);
  const Bytes vcek_der = cert_der(*vcek->front());

  TrustConfig trust;
  for (const auto& path : a.trust_roots) {
    auto bytes = read_file(path);
    if (!bytes)
      return usage_error("--trust-root: " + bytes.error().to_string());
    auto certs = parse_certs_any(*bytes);
    if (!certs)
      return usage_error("--trust-root " + path + ": " + certs.error().message);
    for (auto& c : *certs)
      trust.extra_roots.push_back(std::move(c));
  }
  if (!a.crl.empty()) {
    auto bytes = read_file(a.crl);
    if (!bytes)
      return usage_error("--crl: " + bytes.error().to_string());
    auto crl = parse_crl(*bytes);
    if (!crl)
      return usage_error("--crl " + a.crl + ": " + crl.error().message);
    trust.crls.push_back(std::move(*crl));
  }
  std::vector<X509Ptr> chain;
  if (!a.chain.empty()) {
    auto bytes = read_file(a.chain);
    if (!bytes)
      return usage_error("--chain: " + bytes.error().to_string());
    auto certs = parse_certs_any(*bytes);
    if (!certs)
      return usage_error("--chain " + a.chain + ": " + certs.error().message);
    chain = std::move(*certs);
  }

  VerifyOptions o;
  o.at = std::time(nullptr);
  if (!a.at.empty()) {
    auto t = parse_rfc3339(a.at);
    if (!t)
      return usage_error("--at: '" + a.at + "' is not an RFC 3339 time such as 2026-01-01T00:00:00Z");
    o.at = *t;
  }
  if (!a.product.empty()) {
    o.product = parse_product(a.product);
    if (!o.product)
      return usage_error("--product: '" + a.product + "' is not one of Milan, Genoa, Turin");
  }
  std::string why;
  if (!a.min_tcb.empty()) {
    o.minimum_tcb = parse_min_tcb(a.min_tcb, &why);
    if (!o.minimum_tcb)
      return usage_error("--min-tcb: " + why);
  }
  for (const auto& m : a.measurements) {
    ByteArray<48> v{};
    if (!parse_fixed_hex(m, v, why))
      return usage_error("--measurement: " + why);
    o.measurements.push_back(v);
  }
  if (!a.report_data.empty()) {
    ByteArray<64> v{};
    if (!parse_fixed_hex(a.report_data, v, why))
      return usage_error("--report-data: " + why);
    o.report_data = v;
  }
  o.vmpls = a.vmpls;
  o.guest_policy.allow_debug = a.allow_debug;
  o.allow_vlek = a.allow_vlek;
  if (a.deny_smt) {
    o.guest_policy.allow_smt = false;
    o.platform_info = PlatformInfoOptions{};
    o.platform_info->allow_smt = false;
  }
  o.use_chain_cache = false;

  auto verifier = Verifier::create(std::move(trust));
  if (!verifier)
    return usage_error(verifier.error().to_string());
  std::vector<const X509*> inter;
  inter.reserve(chain.size());
  for (const auto& c : chain)
    inter.push_back(c.get());
  const Verdict v = verifier->verify(*report, vcek_der, o, inter);

  ordered_json failures = ordered_json::array();
  for (const auto& f : v.failures)
    failures.push_back({{"code", std::string(failure_code_name(f.code))}, {"message", f.message}});
  ordered_json out = {
      {"accepted", v.accepted()}, {"failures", failures}, {"product", std::string(product_name(v.product))}};
  if (v.report) {
    out["version"] = v.report->version;
    out["measurement"] = to_hex(v.report->measurement);
    out["report_data"] = to_hex(v.report->report_data);
    out["chip_id"] = to_hex(v.report->chip_id);
    out["reported_tcb"] = tcb_json(v.report->reported_tcb, v.product);
  }
  if (a.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::cout << (v.accepted() ? "ACCEPTED" : "REJECTED") << " (product " << product_name(v.product) << ")\n";
    for (const auto& f : v.failures)
      std::cout << "  " << failure_code_name(f.code) << ": " << f.message << "\n";
  }
  return v.accepted() ? kOk : kRejected;
}

}  // namespace

void add_attest_commands(CLI::App& app, Outcome& outcome) {
  auto* report_cmd = app.add_subcommand("report", "Inspect SEV-SNP attestation reports");
  report_cmd->require_subcommand(1);
  auto* show = report_cmd->add_subcommand("show", "Decode every field of a 1184-byte SNP report");
  auto show_file = std::make_shared<std::string>();
  auto show_product_name = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  show->add_option("FILE", *show_file, "Raw report (1184 bytes)")->required();
  show->add_option("--product", *show_product_name,
                   "Decode TCBs for Milan|Genoa|Turin (v2 reports carry no CPUID)");
  show->add_flag("--json", *show_json, "Print one JSON object");
  show->callback([show_file, show_product_name, show_json, &outcome] {
    auto bytes = read_file(*show_file);
    if (!bytes) {
      outcome.exit_code = usage_error(bytes.error().to_string());
      return;
    }
    auto report = parse_report(*bytes);
    if (!report) {
      outcome.exit_code = usage_error(*show_file + ": " + report.error().to_string());
      return;
    }
    std::optional<Product> forced;
    if (!show_product_name->empty()) {
      forced = parse_product(*show_product_name);
      if (!forced) {
        outcome.exit_code =
            usage_error("--product: '" + *show_product_name + "' is not one of Milan, Genoa, Turin");
        return;
      }
    }
    const ordered_json j = report_json(*report, show_product(*report, forced));
    if (*show_json)
      std::cout << j.dump() << "\n";
    else
      print_text(j, "");
    outcome.exit_code = kOk;
  });

  auto* verify = app.add_subcommand(
      "verify", "Verify an SNP report against AMD's pinned roots (exit 0 accepted, 1 rejected)");
  auto args = std::make_shared<VerifyArgs>();
  verify->add_option("--report", args->report, "Raw report file (1184 bytes)")->required();
  verify->add_option("--vcek", args->vcek, "VCEK or VLEK certificate (DER or PEM)")->required();
  verify->add_option("--chain", args->chain, "ASK/ASVK (+ARK) PEM: intermediates only, never adds trust");
  verify->add_option("--product", args->product, "Expected product: Milan|Genoa|Turin");
  verify->add_option("--trust-root", args->trust_roots, "Additional trusted root (self-signed ARK PEM/DER)");
  verify->add_option("--crl", args->crl, "CRL signed by the ARK (DER or PEM)");
  verify->add_flag("--allow-debug", args->allow_debug, "Accept guests with POLICY.DEBUG set");
  verify->add_option("--min-tcb", args->min_tcb, "Minimum REPORTED_TCB: bl=N,tee=N,snp=N,ucode=N[,fmc=N]");
  verify->add_option("--measurement", args->measurements, "Allowed MEASUREMENT (96 hex chars); repeatable");
  verify->add_option("--report-data", args->report_data, "Expected REPORT_DATA (128 hex chars)");
  verify->add_option("--vmpl", args->vmpls, "Allowed VMPL (0..3); repeatable")->check(CLI::Range(0, 3));
  verify->add_flag("--allow-vlek", args->allow_vlek, "Accept VLEK-signed reports");
  verify->add_flag("--deny-smt", args->deny_smt, "Reject reports whose policy or platform allows SMT");
  verify->add_option("--at", args->at, "Verification time, RFC 3339 (default: now)");
  verify->add_flag("--json", args->json, "Print one JSON object");
  verify->callback([args, &outcome] { outcome.exit_code = run_verify(*args); });
}

}  // namespace snprelay::cli
