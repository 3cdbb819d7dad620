// Fuzz target: the verify entry point. The input is split into a report (first 1184 bytes, or all of
// it when shorter) and a VCEK (the rest); both are hostile. Must always return a verdict.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "attest/verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  static const Verifier verifier = Verifier::create().value();
  const std::span<const std::uint8_t> in(data, size);
  const std::size_t cut = size < kReportSize ? size : kReportSize;
  VerifyOptions options;
  options.at = 1780272000;
  options.use_chain_cache = false;
  options.minimum_tcb = MinTcb{};
  const Verdict v = verifier.verify(in.first(cut), in.subspan(cut), options);
  if (v.accepted() && size < kReportSize)
    std::abort();  // a short report can never be accepted
  return 0;
}
