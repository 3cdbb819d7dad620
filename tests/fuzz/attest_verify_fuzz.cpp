// Fuzz target: the verify entry point. The input is split into a report (first 1184 bytes, or all of
// it when shorter) and a VCEK (the rest); both are hostile. Invariants: it always returns a verdict; a
// short report is never accepted; an accepted report parses, has no non-zero reserved byte and
// SIGNATURE_ALGO 1, and its VCEK parses with KDS extensions; the verified-chain cache never changes
// the verdict (the same input verified with and without the cache gets the same failure codes).
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/certs.hpp"
#include "attest/verify.hpp"
#include "fuzz_check.hpp"

namespace {

bool same_codes(const snprelay::attest::Verdict& a, const snprelay::attest::Verdict& b) {
  if (a.failures.size() != b.failures.size())
    return false;
  for (std::size_t i = 0; i < a.failures.size(); ++i) {
    if (a.failures[i].code != b.failures[i].code)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  using snprelay::fuzz::fuzz_check;
  static const Verifier verifier = Verifier::create().value();
  const std::span<const std::uint8_t> in(data, size);
  const std::size_t cut = size < kReportSize ? size : kReportSize;
  VerifyOptions options;
  options.at = 1780272000;
  options.use_chain_cache = false;
  options.minimum_tcb = MinTcb{};
  const Verdict v = verifier.verify(in.first(cut), in.subspan(cut), options);
  options.use_chain_cache = true;
  const Verdict cached = verifier.verify(in.first(cut), in.subspan(cut), options);
  fuzz_check(same_codes(v, cached), "the chain cache changed the verdict");
  if (!v.accepted())
    return 0;
  fuzz_check(size > kReportSize, "a short report (or one without a VCEK) was accepted");
  const auto report = parse_report(in.first(kReportSize));
  fuzz_check(report.ok() && report->signature_algo == 1,
             "an accepted report does not parse or is not ECDSA P-384");
  fuzz_check(nonzero_reserved(in.first(kReportSize)).empty(),
             "an accepted report has a non-zero reserved byte");
  auto vek = parse_cert_der(in.subspan(kReportSize));
  fuzz_check(vek.ok() && parse_vek_extensions(**vek).ok(),
             "an accepted VCEK does not parse with KDS extensions");
  return 0;
}
