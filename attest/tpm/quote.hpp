// TPM quotes: the quote file format (version 1), the nonce that binds a quote to an SNP report, and
// verification of a quote with OpenSSL alone (no TPM needed on the verifying side).
//
// A quote is the TPM's signature, by an attestation key (AK), over a TPMS_ATTEST structure that holds
// the qualifying data (our nonce), the TPM's clock and reset counters, the PCR selection and a digest
// of the selected PCR values. The quote file carries the signed bytes, the signature and the PCR
// values themselves, so a verifier can recompute the digest and then compare the values with what it
// expects. The AK public key is NOT in the file: a verifier must get it from a source it trusts (for
// now, the PEM that `snprelay tpm quote --ak-pub-out` wrote; a platform AK certificate later).
//
// Quote file layout (integers big-endian):
//
//   offset  size  field
//   0       4     magic "SRTQ" (53 52 54 51)
//   4       1     format version = 1
//   5       1     reserved, 0
//   6       2     n = length of the attestation data
//   8       n     TPMS_ATTEST exactly as the TPM signed it (the buffer of TPM2B_ATTEST)
//   8+n     2     m = length of the signature
//   10+n    m     TPMT_SIGNATURE as Tss2_MU_TPMT_SIGNATURE_Marshal writes it
//   10+n+m  4     PCR mask (bit n = PCR n of the sha256 bank)
//   14+n+m  1     k = number of PCR values = number of bits set in the mask
//   15+n+m  32k   the PCR values, ascending PCR index
//   end           nothing may follow
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attest/tpm/pcr.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest::tpm {

inline constexpr std::uint8_t kQuoteFileVersion = 1;

struct Quote {
  Bytes attest;                      // signed TPMS_ATTEST bytes
  Bytes signature;                   // marshalled TPMT_SIGNATURE
  PcrSelection pcrs;                 // the selection quoted
  std::vector<PcrValue> pcr_values;  // one per selected PCR, ascending index
  std::string ak_public_pem;         // filled by Tpm::quote(); not part of the file
};

// The quote file bytes (ak_public_pem is not included).
[[nodiscard]] Bytes encode_quote(const Quote& quote);
// Parses the envelope. Errors: tpm BAD_QUOTE_FILE naming the field (magic, version, lengths, count
// vs mask, trailing bytes). The attestation data and signature are checked by verify_quote().
[[nodiscard]] Result<Quote> decode_quote(std::span<const std::uint8_t> bytes);

// The qualifying data that binds a quote to an SNP report: SHA-256 over the report file's bytes.
[[nodiscard]] std::array<std::uint8_t, 32> report_nonce(std::span<const std::uint8_t> report_bytes);

// Why a quote was rejected. Stable names (quote_failure_name) are printed by the CLI.
enum class QuoteFailure {
  kAttestMalformed,       // ATTEST_MALFORMED: the attestation data does not unmarshal exactly
  kBadMagic,              // BAD_MAGIC: magic != TPM_GENERATED_VALUE (0xff544347): not TPM-made
  kNotAQuote,             // NOT_A_QUOTE: type != TPM_ST_ATTEST_QUOTE
  kNonceMismatch,         // NONCE_MISMATCH: extraData != the expected nonce (wrong report, replay)
  kPcrSelectionMismatch,  // PCR_SELECTION_MISMATCH: the signed selection != the file's selection
  kPcrDigestMismatch,     // PCR_DIGEST_MISMATCH: SHA-256 of the supplied PCR values != signed digest
  kSignatureMalformed,    // SIGNATURE_MALFORMED: the signature does not unmarshal
  kSignatureAlgorithm,    // SIGNATURE_ALGORITHM: not ECDSA with SHA-256
  kSignatureInvalid,      // SIGNATURE_INVALID: ECDSA check with the AK public key failed
};
[[nodiscard]] std::string_view quote_failure_name(QuoteFailure failure);

struct QuoteVerdict {
  struct Item {
    QuoteFailure code;
    std::string message;  // names the field and, where useful, both values
  };
  std::vector<Item> failures;
  // What the attestation data says (zero when it did not unmarshal).
  std::uint64_t clock_ms = 0;
  std::uint32_t reset_count = 0;
  std::uint32_t restart_count = 0;
  std::uint64_t firmware_version = 0;

  [[nodiscard]] bool accepted() const { return failures.empty(); }
};

// Checks `quote` against the nonce the verifier expects and the AK public key (PEM,
// SubjectPublicKeyInfo, ECC P-256). Every check runs that still makes sense; the verdict lists each
// failure. Errors (not verdicts): tpm BAD_AK_KEY when the PEM does not hold a P-256 public key.
[[nodiscard]] Result<QuoteVerdict> verify_quote(const Quote& quote,
                                                std::span<const std::uint8_t> expected_nonce,
                                                std::string_view ak_public_pem);

}  // namespace snprelay::attest::tpm
