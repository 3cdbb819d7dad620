// Fuzz target: signed attestation inputs never verify after a change to their signed bytes.
//
// The fuzz input is [mode][xor edits...] (fuzz_check.hpp apply_xor_edits). The mode picks a valid signed
// vector from tests/data and which part the edits land in:
//   0/1  the report (milan_v2_virtee_report.bin / genoa_v3_tinfoil_report.bin) with its real VCEK;
//   2/3  the VCEK (milan_virtee_vcek.der / genoa_tinfoil_vcek.der) under its unchanged report;
//   4    the look-alike Milan CRL (snp/lookalike/milan_crl.der), checked against the look-alike ARK key.
// Bit 0x80 of the mode byte turns the verifier's chain cache on, so a cached chain is also exercised.
// Invariants: the unmutated vector is accepted (the baseline; a changed test vector fails loudly); a
// mutated vector whose signed bytes changed (report 0x000..0x29F, a certificate's or CRL's TBS) is never
// accepted. For reports and VCEKs no other byte may change either (the verifier checks the signature
// fields, reserved bytes and, through OpenSSL, that the outer signature algorithm equals the TBS one),
// so an accepted report or VCEK is the original byte for byte. A CRL is only held to its signed bytes:
// OpenSSL's X509_CRL_verify ignores the parameters of the outer signatureAlgorithm's hash (a campaign
// found a NULL replaced by an empty [APPLICATION 12] still verifying), which changes nothing signed.
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "attest/certs.hpp"
#include "attest/verify.hpp"
#include "fuzz_check.hpp"

namespace {

using snprelay::fuzz::ByteVec;
using snprelay::fuzz::differs_in;
using snprelay::fuzz::fuzz_check;

// End offset of the DER TLV starting at `offset` (short or long definite length); 0 when malformed.
std::size_t der_tlv_end(const ByteVec& der, std::size_t offset) {
  if (offset + 2 > der.size())
    return 0;
  std::size_t len = der[offset + 1];
  std::size_t header = 2;
  if ((len & 0x80U) != 0) {
    const std::size_t n = len & 0x7FU;
    if (n == 0 || n > 4 || offset + 2 + n > der.size())
      return 0;
    len = 0;
    for (std::size_t i = 0; i < n; ++i)
      len = (len << 8U) | der[offset + 2 + i];
    header += n;
  }
  return offset + header + len;
}

// [begin, end) of the TBS (the first element of the outer SEQUENCE) of a DER certificate or CRL.
struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
};
Range tbs_range(const ByteVec& der) {
  const std::size_t outer_header = (der.size() > 1 && (der[1] & 0x80U) != 0) ? 2 + (der[1] & 0x7FU) : 2;
  const Range r{outer_header, der_tlv_end(der, outer_header)};
  fuzz_check(r.end > r.begin && r.end <= der.size(), "the test vector is not DER");
  return r;
}

struct Vectors {
  ByteVec reports[2];
  ByteVec veks[2];
  ByteVec crl;
  snprelay::attest::EvpPkeyPtr ark_key;
};

const Vectors& vectors() {
  static const Vectors v = [] {
    Vectors out;
    out.reports[0] = snprelay::fuzz::test_data_file("snp/milan_v2_virtee_report.bin");
    out.reports[1] = snprelay::fuzz::test_data_file("snp/genoa_v3_tinfoil_report.bin");
    out.veks[0] = snprelay::fuzz::test_data_file("snp/milan_virtee_vcek.der");
    out.veks[1] = snprelay::fuzz::test_data_file("snp/genoa_tinfoil_vcek.der");
    out.crl = snprelay::fuzz::test_data_file("snp/lookalike/milan_crl.der");
    const auto pem = snprelay::fuzz::test_data_file("snp/lookalike/ark_key.pem");
    const snprelay::attest::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    out.ark_key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    fuzz_check(out.ark_key != nullptr, "the look-alike ARK key does not load");
    return out;
  }();
  return v;
}

// Checks an accept/refuse answer for `mutated` against `original` whose signed bytes are [signed_range).
// `whole` = any accepted change is a finding, not only one of the signed bytes.
void check_answer(bool accepted, const ByteVec& original, const ByteVec& mutated, Range signed_range,
                  bool whole) {
  if (mutated == original) {
    fuzz_check(accepted, "the unmutated signed vector was refused");
    return;
  }
  if (!accepted)
    return;
  fuzz_check(!differs_in(original, mutated, signed_range.begin, signed_range.end),
             "a mutated input whose signed bytes changed was accepted");
  fuzz_check(!whole, "a mutated input (unsigned bytes changed) was accepted: the encoding is malleable");
}

bool verify_pair(std::span<const std::uint8_t> report, std::span<const std::uint8_t> vek, bool cache) {
  using namespace snprelay::attest;
  static const Verifier verifier = Verifier::create().value();
  VerifyOptions options;
  options.at = 1780272000;  // 2026-06-01: inside both VCEKs' validity
  options.use_chain_cache = cache;
  return verifier.verify(report, vek, options).accepted();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const Vectors& v = vectors();
  const std::span<const std::uint8_t> edits(data + 1, size - 1);
  const bool cache = (data[0] & 0x80U) != 0;
  const unsigned mode = (data[0] & 0x7FU) % 5;
  if (mode < 2) {
    const ByteVec& original = v.reports[mode];
    const ByteVec mutated = snprelay::fuzz::apply_xor_edits(original, edits);
    check_answer(verify_pair(mutated, v.veks[mode], cache), original, mutated,
                 Range{0, snprelay::attest::kSignedSize}, true);
  } else if (mode < 4) {
    const ByteVec& original = v.veks[mode - 2];
    const ByteVec mutated = snprelay::fuzz::apply_xor_edits(original, edits);
    check_answer(verify_pair(v.reports[mode - 2], mutated, cache), original, mutated, tbs_range(original),
                 true);
  } else {
    const ByteVec mutated = snprelay::fuzz::apply_xor_edits(v.crl, edits);
    const auto crl = snprelay::attest::parse_crl(mutated);
    const bool accepted = crl.ok() && snprelay::attest::crl_signed_by(**crl, v.ark_key.get());
    check_answer(accepted, v.crl, mutated, tbs_range(v.crl), false);
  }
  return 0;
}
