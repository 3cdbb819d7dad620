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
#include "relayer/app/input.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/app/report_json.hpp"
#include "relayer/app/text.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;
using namespace snprelay::attest;
using app::report_json;
using app::show_product;

void print_text(const ordered_json& j, const std::string& indent) {
  for (const auto& [key, value] : j.items()) {
    if (value.is_object()) {
      std::cout << indent << key << ":\n";
      print_text(value, indent + "  ");
    } else {
      std::cout << indent << key << ": "
                << app::escape_text(value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
  }
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

int input_error(const std::string& message) {
  return fail(usage_error("USAGE", message));
}

// Parses a decimal or 0x-prefixed hexadecimal unsigned integer no larger than `max` (app::parse_unsigned).
bool parse_uint(const std::string& text, std::uint64_t max, std::uint64_t& out, std::string& why) {
  auto v = app::parse_unsigned("value", text, max);
  if (!v) {
    why = v.error().message.substr(7);  // without "value: "
    return false;
  }
  out = *v;
  return true;
}

// Parses "MAJ.MIN" with both parts in 0..255.
bool parse_major_minor(const std::string& text, FirmwareVersion& out, std::string& why) {
  const auto dot = text.find('.');
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  if (dot == std::string::npos || !parse_uint(text.substr(0, dot), 255, major, why) ||
      !parse_uint(text.substr(dot + 1), 255, minor, why)) {
    why = "'" + text + "' is not MAJOR.MINOR with both parts in 0..255";
    return false;
  }
  out = FirmwareVersion{static_cast<std::uint8_t>(major), static_cast<std::uint8_t>(minor)};
  return true;
}

struct VerifyArgs {
  std::string report, vcek, chain, product, crl, min_tcb, min_launch_tcb, report_data, at;
  std::string host_data, image_id, family_id, report_id, report_id_ma, chip_id;
  std::string min_guest_svn, min_build, min_version, min_abi, min_launch_mit, min_current_mit;
  std::vector<std::string> trust_roots, measurements, trusted_author_keys, trusted_id_keys;
  std::vector<std::uint32_t> vmpls;
  bool allow_debug = false, allow_vlek = false, deny_smt = false, json = false;
  bool allow_migrate_ma = false, allow_chip_id_masked = false, permit_provisional = false;
  bool require_author_key = false, require_id_block = false;
};

// Fills the optional policy members of `o` from the flags; returns an empty string or the usage error.
std::string policy_options(const VerifyArgs& a, VerifyOptions& o) {
  std::string why;
  auto fixed = [&why]<std::size_t N>(const char* flag, const std::string& text,
                                     std::optional<ByteArray<N>>& out) {
    if (text.empty())
      return true;
    ByteArray<N> v{};
    if (!parse_fixed_hex(text, v, why)) {
      why = std::string(flag) + ": " + why;
      return false;
    }
    out = v;
    return true;
  };
  auto digests = [&why](const char* flag, const std::vector<std::string>& texts,
                        std::vector<ByteArray<48>>& out) {
    for (const auto& t : texts) {
      ByteArray<48> v{};
      if (!parse_fixed_hex(t, v, why)) {
        why = std::string(flag) + ": " + why;
        return false;
      }
      out.push_back(v);
    }
    return true;
  };
  auto number = [&why](const char* flag, const std::string& text, std::uint64_t max, std::uint64_t& out) {
    if (text.empty())
      return true;
    if (!parse_uint(text, max, out, why)) {
      why = std::string(flag) + ": " + why;
      return false;
    }
    return true;
  };
  if (!fixed("--report-data", a.report_data, o.report_data) ||
      !fixed("--host-data", a.host_data, o.host_data) || !fixed("--image-id", a.image_id, o.image_id) ||
      !fixed("--family-id", a.family_id, o.family_id) || !fixed("--report-id", a.report_id, o.report_id) ||
      !fixed("--report-id-ma", a.report_id_ma, o.report_id_ma) || !fixed("--chip-id", a.chip_id, o.chip_id) ||
      !digests("--trusted-author-key-hash", a.trusted_author_keys, o.trusted_author_key_hashes) ||
      !digests("--trusted-id-key-hash", a.trusted_id_keys, o.trusted_id_key_hashes))
    return why;
  for (const auto& m : a.measurements) {
    ByteArray<48> v{};
    if (!parse_fixed_hex(m, v, why))
      return "--measurement: " + why;
    o.measurements.push_back(v);
  }
  std::uint64_t svn = 0;
  std::uint64_t build = 0;
  if (!number("--min-guest-svn", a.min_guest_svn, 0xffffffffu, svn) ||
      !number("--min-build", a.min_build, 255, build) ||
      !number("--min-launch-mit-vector", a.min_launch_mit, ~std::uint64_t{0}, o.minimum_launch_mit_vector) ||
      !number("--min-current-mit-vector", a.min_current_mit, ~std::uint64_t{0}, o.minimum_current_mit_vector))
    return why;
  o.minimum_guest_svn = static_cast<std::uint32_t>(svn);
  o.minimum_build = static_cast<std::uint8_t>(build);
  if (!a.min_version.empty()) {
    FirmwareVersion v;
    if (!parse_major_minor(a.min_version, v, why))
      return "--min-version: " + why;
    o.minimum_version = v;
  }
  if (!a.min_abi.empty()) {
    FirmwareVersion v;
    if (!parse_major_minor(a.min_abi, v, why))
      return "--min-abi: " + why;
    o.guest_policy.min_abi_major = v.major;
    o.guest_policy.min_abi_minor = v.minor;
  }
  if (!a.min_tcb.empty()) {
    o.minimum_tcb = parse_min_tcb(a.min_tcb, &why);
    if (!o.minimum_tcb)
      return "--min-tcb: " + why;
  }
  if (!a.min_launch_tcb.empty()) {
    o.minimum_launch_tcb = parse_min_tcb(a.min_launch_tcb, &why);
    if (!o.minimum_launch_tcb)
      return "--min-launch-tcb: " + why;
  }
  o.vmpls = a.vmpls;
  o.guest_policy.allow_debug = a.allow_debug;
  o.guest_policy.allow_migrate_ma = a.allow_migrate_ma;
  o.allow_vlek = a.allow_vlek;
  o.allow_chip_id_masked = a.allow_chip_id_masked;
  o.permit_provisional_firmware = a.permit_provisional;
  o.require_author_key = a.require_author_key;
  o.require_id_block = a.require_id_block;
  if (a.deny_smt) {
    o.guest_policy.allow_smt = false;
    o.platform_info = PlatformInfoOptions{};
    o.platform_info->allow_smt = false;
  }
  return {};
}

int run_verify(const VerifyArgs& a) {
  auto report = app::read_report_file(a.report, "--report");
  if (!report)
    return fail(report.error());
  auto vcek_bytes = read_input_file(a.vcek, kMaxCertificateFileBytes, "--vcek");
  if (!vcek_bytes)
    return fail(vcek_bytes.error());
  auto vcek = parse_certs_any(*vcek_bytes);
  if (!vcek)
    return input_error("--vcek " + a.vcek + ": " + vcek.error().message);
  const Bytes vcek_der = cert_der(*vcek->front());

  TrustConfig trust;
  for (const auto& path : a.trust_roots) {
    auto bytes = read_input_file(path, kMaxCertificateFileBytes, "--trust-root");
    if (!bytes)
      return fail(bytes.error());
    auto certs = parse_certs_any(*bytes);
    if (!certs)
      return input_error("--trust-root " + path + ": " + certs.error().message);
    for (auto& c : *certs)
      trust.extra_roots.push_back(std::move(c));
  }
  std::vector<X509Ptr> chain;
  if (!a.chain.empty()) {
    auto bytes = read_input_file(a.chain, kMaxCertificateFileBytes, "--chain");
    if (!bytes)
      return fail(bytes.error());
    auto certs = parse_certs_any(*bytes);
    if (!certs)
      return input_error("--chain " + a.chain + ": " + certs.error().message);
    chain = std::move(*certs);
  }

  VerifyOptions o;
  o.at = std::time(nullptr);
  if (!a.at.empty()) {
    auto t = app::parse_rfc3339("--at", a.at);
    if (!t)
      return fail(t.error());
    o.at = *t;
  }
  if (!a.product.empty()) {
    o.product = parse_product(a.product);
    if (!o.product)
      return input_error("--product: '" + a.product + "' is not one of Milan, Genoa, Turin");
  }
  if (const std::string why = policy_options(a, o); !why.empty())
    return input_error(why);
  // A CRL is read after --at: a stale one (nextUpdate before the verification time) is an input error,
  // not a verdict — no failure code describes it and the report itself is not at fault.
  if (!a.crl.empty()) {
    auto bytes = read_input_file(a.crl, kMaxCertificateFileBytes, "--crl");
    if (!bytes)
      return fail(bytes.error());
    auto crl = parse_crl(*bytes);
    if (!crl)
      return input_error("--crl " + a.crl + ": " + crl.error().message);
    if (crl_expired_at(**crl, o.at)) {
      return input_error("--crl " + a.crl + ": CRL expired at " + crl_next_update(**crl) +
                         " (nextUpdate is before the verification time; fetch a fresh CRL or set --at)");
    }
    trust.crls.push_back(std::move(*crl));
  }
  o.use_chain_cache = false;

  auto verifier = Verifier::create(std::move(trust));
  if (!verifier)
    return fail(verifier.error());
  std::vector<const X509*> inter;
  inter.reserve(chain.size());
  for (const auto& c : chain)
    inter.push_back(c.get());
  const Verdict v = verifier->verify(*report, vcek_der, o, inter);

  if (a.json) {
    std::cout << app::verdict_json(v).dump() << "\n";
  } else {
    std::cout << (v.accepted() ? "ACCEPTED" : "REJECTED") << " (product " << product_name(v.product) << ")\n";
    for (const auto& f : v.failures)
      std::cout << "  " << failure_code_name(f.code) << ": " << app::escape_text(f.message) << "\n";
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
    auto bytes = read_input_file(*show_file, kMaxReportFileBytes, "report file");
    if (!bytes) {
      outcome.exit_code = fail(bytes.error());
      return;
    }
    auto report = parse_report(*bytes);
    if (!report) {
      outcome.exit_code = input_error(*show_file + ": " + report.error().to_string());
      return;
    }
    std::optional<Product> forced;
    if (!show_product_name->empty()) {
      forced = parse_product(*show_product_name);
      if (!forced) {
        outcome.exit_code =
            input_error("--product: '" + *show_product_name + "' is not one of Milan, Genoa, Turin");
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
  verify->add_option(
      "--crl", args->crl,
      "CRL signed by the ARK (DER or PEM); one whose nextUpdate is before --at is refused (exit 2)");
  verify->add_flag("--allow-debug", args->allow_debug, "Accept guests with POLICY.DEBUG set");
  verify->add_flag("--allow-migrate-ma", args->allow_migrate_ma, "Accept guests with POLICY.MIGRATE_MA set");
  verify->add_option("--min-abi", args->min_abi, "Minimum POLICY ABI version MAJ.MIN");
  verify->add_option("--min-tcb", args->min_tcb, "Minimum REPORTED_TCB: bl=N,tee=N,snp=N,ucode=N[,fmc=N]");
  verify->add_option("--min-launch-tcb", args->min_launch_tcb, "Minimum LAUNCH_TCB, same form as --min-tcb");
  verify->add_option("--min-build", args->min_build, "Minimum CURRENT_BUILD (0..255)");
  verify->add_option("--min-version", args->min_version, "Minimum firmware CURRENT_MAJOR.CURRENT_MINOR");
  verify->add_flag("--permit-provisional-firmware", args->permit_provisional,
                   "Accept COMMITTED_TCB/firmware below CURRENT (otherwise they must be equal)");
  verify->add_option("--min-guest-svn", args->min_guest_svn, "Minimum GUEST_SVN");
  verify->add_option("--measurement", args->measurements, "Allowed MEASUREMENT (96 hex chars); repeatable");
  verify->add_option("--report-data", args->report_data, "Expected REPORT_DATA (128 hex chars)");
  verify->add_option("--host-data", args->host_data, "Expected HOST_DATA (64 hex chars)");
  verify->add_option("--image-id", args->image_id, "Expected IMAGE_ID (32 hex chars)");
  verify->add_option("--family-id", args->family_id, "Expected FAMILY_ID (32 hex chars)");
  verify->add_option("--report-id", args->report_id, "Expected REPORT_ID (64 hex chars)");
  verify->add_option("--report-id-ma", args->report_id_ma, "Expected REPORT_ID_MA (64 hex chars)");
  verify->add_option("--chip-id", args->chip_id, "Expected CHIP_ID (128 hex chars)");
  verify->add_flag("--require-id-block", args->require_id_block,
                   "Require ID_KEY_DIGEST in --trusted-id-key-hash (or a trusted author key)");
  verify->add_flag("--require-author-key", args->require_author_key,
                   "Require AUTHOR_KEY_EN and AUTHOR_KEY_DIGEST in --trusted-author-key-hash");
  verify->add_option("--trusted-id-key-hash", args->trusted_id_keys,
                     "Trusted ID key SHA-384 digest (96 hex chars); repeatable");
  verify->add_option("--trusted-author-key-hash", args->trusted_author_keys,
                     "Trusted author key SHA-384 digest (96 hex chars); repeatable");
  verify->add_option("--min-launch-mit-vector", args->min_launch_mit,
                     "Bits LAUNCH_MIT_VECTOR must contain (decimal or 0x hex)");
  verify->add_option("--min-current-mit-vector", args->min_current_mit,
                     "Bits CURRENT_MIT_VECTOR must contain (decimal or 0x hex)");
  verify->add_option("--vmpl", args->vmpls, "Allowed VMPL (0..3); repeatable")->check(CLI::Range(0, 3));
  verify->add_flag("--allow-vlek", args->allow_vlek, "Accept VLEK-signed reports");
  verify->add_flag("--allow-chip-id-masked", args->allow_chip_id_masked,
                   "Accept reports whose CHIP_ID is zero (MASK_CHIP_ID)");
  verify->add_flag("--deny-smt", args->deny_smt, "Reject reports whose policy or platform allows SMT");
  verify->add_option("--at", args->at, "Verification time, RFC 3339 (default: now)");
  verify->add_flag("--json", args->json, "Print one JSON object");
  verify->callback([args, &outcome] { outcome.exit_code = run_verify(*args); });
}

}  // namespace snprelay::cli
