#include "relayer/app/self_check.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "attest/certs.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "common/json_strict.hpp"

namespace snprelay::app {
namespace {

using nlohmann::json;

Error bad_params(const std::string& message) {
  return make_error("app", "BAD_CHAIN_PARAMS", "the chain's snpattest params: " + message,
                    ErrorKind::kUnavailable);
}

template <typename T>
std::vector<T> list_of(const json& j, const char* key) {
  std::vector<T> out;
  if (const auto it = j.find(key); it != j.end() && !it->is_null())
    out = it->get<std::vector<T>>();
  return out;
}

// Fills `min` from the allowlist's ProductTcb; a component above one byte can never be met.
bool to_min_tcb(const allowlist::ProductTcb& t, attest::MinTcb& min) {
  const auto byte = [](std::uint32_t v) {
    return static_cast<std::uint8_t>(std::min<std::uint32_t>(v, 255));
  };
  min.bootloader = byte(t.boot_loader);
  min.tee = byte(t.tee);
  min.snp = byte(t.snp);
  min.microcode = byte(t.microcode);
  min.fmc = byte(t.fmc);
  return std::max({t.boot_loader, t.tee, t.snp, t.microcode, t.fmc}) <= 255;
}

allowlist::ReportFields report_fields(const attest::Report& r) {
  allowlist::ReportFields f;
  f.measurement = r.measurement;
  f.guest_svn = r.guest_svn;
  f.policy = r.policy;
  f.family_id = r.family_id;
  f.image_id = r.image_id;
  f.host_data = r.host_data;
  return f;
}

// The position of a check in the chain's order (onchain/x/snpattest/verify/rules.go, DESIGN.md §4):
// report shape, binding, VMPL, policy and the allowlist entry's constraints, signer, measurement, the
// VEK's chain, TCB minimum, signature. The Verifier reports its own failures in this order already;
// the rank only places the failures found outside it.
int chain_rank(attest::FailureCode code) {
  using F = attest::FailureCode;
  static constexpr F kOrder[] = {F::kSizeInvalid,      F::kVersionUnsupported, F::kSignatureAlgoUnsupported,
                                 F::kReservedNonzero,  F::kSignatureEncoding,  F::kReportDataMismatch,
                                 F::kVmplNotAllowed,   F::kDebugPolicy,        F::kPolicyViolation,
                                 F::kSignerNotAllowed, F::kChipIdMasked,       F::kMeasurementNotAllowed,
                                 F::kChainUntrusted,   F::kCertNotValidAtTime, F::kCertRevoked,
                                 F::kProductMismatch,  F::kVcekChipMismatch,   F::kVcekTcbMismatch,
                                 F::kTcbBelowMinimum,  F::kSignatureInvalid};
  const auto* it = std::find(std::begin(kOrder), std::end(kOrder), code);
  return static_cast<int>(it - std::begin(kOrder));
}

// Inserts `f` before the first failure of `failures` that the chain checks later.
void insert_in_chain_order(std::vector<attest::Failure>& failures, attest::Failure f) {
  const int rank = chain_rank(f.code);
  const auto at = std::find_if(failures.begin(), failures.end(),
                               [&](const attest::Failure& g) { return chain_rank(g.code) > rank; });
  failures.insert(at, std::move(f));
}

attest::FailureCode allowlist_code(const std::string& code) {
  return code == "POLICY_VIOLATION" ? attest::FailureCode::kPolicyViolation
                                    : attest::FailureCode::kMeasurementNotAllowed;
}

}  // namespace

Result<ChainParams> parse_chain_params(std::string_view text) {
  auto parsed = parse_json_strict<json>(text, "the chain's params");
  if (!parsed)
    return bad_params(parsed.error().message);
  const json& j = *parsed;
  if (!j.is_object())
    return bad_params("not a JSON object");
  ChainParams p;
  try {
    p.epoch_blocks = j.value("epoch_blocks", std::uint64_t{0});
    p.submit_window_blocks = j.value("submit_window_blocks", std::uint64_t{0});
    p.accept_previous_epoch = j.value("accept_previous_epoch", false);
    p.allowed_report_versions = list_of<std::uint32_t>(j, "allowed_report_versions");
    p.allowed_vmpls = list_of<std::uint32_t>(j, "allowed_vmpls");
    p.allow_smt = j.value("allow_smt", false);
    p.allow_vlek = j.value("allow_vlek", false);
    p.allow_debug = j.value("allow_debug", false);
    p.max_vcek_bytes = j.value("max_vcek_bytes", std::uint64_t{0});
    for (const auto& name : list_of<std::string>(j, "allowed_products")) {
      const auto product = attest::parse_product(name);
      if (!product)
        return bad_params("allowed_products names \"" + name + "\", which this relayer does not know");
      p.allowed_products.push_back(*product);
    }
    for (const auto& hex : list_of<std::string>(j, "simulated_roots")) {
      auto der = from_hex(hex);
      if (!der)
        return bad_params("simulated_roots: " + der.error().message);
      p.simulated_roots.push_back(std::move(*der));
    }
  } catch (const json::exception& e) {
    return bad_params(e.what());
  }
  if (p.epoch_blocks == 0)
    return bad_params("epoch_blocks is 0 or missing");
  return p;
}

Result<ChainParams> query_chain_params(chain::rpc::ChainClient& client) {
  chain::rpc::SnpQueryRequest request;
  request.kind = chain::rpc::SnpQuery::kParams;
  auto text = chain::rpc::query_snpattest_json(client, request);
  if (!text)
    return text.error();
  return parse_chain_params(*text);
}

Result<SelfCheckTrust> self_check_trust(const ChainParams& params, config::HardwareMode mode) {
  SelfCheckTrust t;
  if (mode == config::HardwareMode::kRequire || params.simulated_roots.empty())
    return t;
  if (params.simulated_roots.size() != 2)
    return bad_params("simulated_roots holds " + std::to_string(params.simulated_roots.size()) +
                      " certificates, not [ARK, ASK]");
  auto ark = attest::parse_cert_der(params.simulated_roots[0]);
  auto ask = attest::parse_cert_der(params.simulated_roots[1]);
  if (!ark || !ask)
    return bad_params("simulated_roots: " + (ark ? ask.error().message : ark.error().message));
  t.trust.extra_roots.push_back(std::move(*ark));
  t.intermediates.push_back(std::move(*ask));
  t.simulated = true;
  return t;
}

std::string SelfCheckResult::first_code() const {
  return failures.empty() ? std::string() : std::string(attest::failure_code_name(failures.front().code));
}

attest::Product vek_product(std::span<const std::uint8_t> vcek_der) {
  auto cert = attest::parse_cert_der(vcek_der);
  if (!cert)
    return attest::Product::kUnknown;
  const std::string issuer = attest::issuer_cn(**cert);
  return attest::parse_product(issuer.substr(issuer.rfind('-') + 1)).value_or(attest::Product::kUnknown);
}

attest::VerifyOptions chain_verify_options(const ChainParams& params, const allowlist::Index& index,
                                           attest::Product product,
                                           const std::array<std::uint8_t, 64>& report_data, std::time_t at) {
  attest::VerifyOptions o;
  o.at = at;
  o.accepted_versions = params.allowed_report_versions;
  o.vmpls = params.allowed_vmpls;
  o.guest_policy.allow_smt = params.allow_smt;
  o.guest_policy.allow_debug = params.allow_debug;
  o.allow_vlek = params.allow_vlek;
  if (product != attest::Product::kUnknown)
    o.product = product;
  o.report_data = report_data;
  if (const auto it = index.min_tcb().find(std::string(attest::product_name(product)));
      it != index.min_tcb().end()) {
    attest::MinTcb min;
    (void)to_min_tcb(it->second, min);
    o.minimum_tcb = min;
  }
  return o;
}

SelfCheckResult self_check(const attest::Verifier& verifier, std::span<const X509* const> intermediates,
                           const ChainParams& params, const allowlist::Index& index,
                           const SelfCheckRequest& request) {
  SelfCheckResult out;
  out.product = vek_product(request.vcek_der);
  std::vector<attest::Failure> failures;  // found outside the Verifier
  const bool product_allowed = std::find(params.allowed_products.begin(), params.allowed_products.end(),
                                         out.product) != params.allowed_products.end();
  if (!product_allowed) {
    failures.push_back({attest::FailureCode::kProductMismatch,
                        "the VCEK's chain is " + std::string(attest::product_name(out.product)) +
                            ", which the chain's allowed_products does not list"});
  }
  // An empty list is "anything" to the C++ verifier and "nothing" to the chain.
  if (params.allowed_vmpls.empty())
    failures.push_back({attest::FailureCode::kVmplNotAllowed, "the chain's allowed_vmpls is empty"});
  if (params.allowed_report_versions.empty())
    failures.push_back(
        {attest::FailureCode::kVersionUnsupported, "the chain's allowed_report_versions is empty"});
  if (const auto it = index.min_tcb().find(std::string(attest::product_name(out.product)));
      it != index.min_tcb().end()) {
    attest::MinTcb unused;
    if (!to_min_tcb(it->second, unused))
      failures.push_back({attest::FailureCode::kTcbBelowMinimum,
                          "the allowlist's min_tcb for " + it->first + " has a component above 255"});
  }

  const auto options = chain_verify_options(params, index, out.product, request.report_data, request.at);
  attest::Verdict verdict = verifier.verify(request.report, request.vcek_der, options, intermediates);
  out.failures = std::move(verdict.failures);
  if (verdict.report) {
    const auto entry = allowlist::check_report(index, report_fields(*verdict.report), request.height);
    if (entry.entry != nullptr)
      out.entry_label = entry.entry->label;
    if (!entry.ok)
      failures.push_back({allowlist_code(entry.code), entry.message});
  }
  for (auto& f : failures)
    insert_in_chain_order(out.failures, std::move(f));
  return out;
}

}  // namespace snprelay::app
