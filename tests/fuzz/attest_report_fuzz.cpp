// Fuzz target: the SNP report parser, serializer, reserved-range scan and bit-field decoders.
// Any input must parse or yield SIZE_INVALID; a parsed report must serialize back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "attest/report.hpp"
#include "attest/report_bits.hpp"
#include "attest/tcb.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::attest;
  const std::span<const std::uint8_t> raw(data, size);
  auto report = parse_report(raw);
  if (!report.ok())
    return 0;
  const auto out = serialize_report(*report);
  if (!std::equal(out.begin(), out.end(), raw.begin(), raw.end()))
    std::abort();  // round trip broken
  (void)nonzero_reserved(raw);
  (void)decode_policy(report->policy);
  (void)decode_platform_info(report->platform_info);
  (void)decode_key_info(report->key_info);
  for (Product p : {Product::kMilan, Product::kTurin}) {
    if (encode_tcb(decode_tcb(report->reported_tcb, p), p) != report->reported_tcb)
      std::abort();
    (void)describe_tcb(report->current_tcb, p);
  }
  return 0;
}
