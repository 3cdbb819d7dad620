#include "attest/tpm/quote.hpp"

#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include <cstring>

#include "attest/ossl.hpp"
#include "attest/tpm/tpm_error.hpp"

namespace snprelay::attest::tpm {

namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'R', 'T', 'Q'};

Error bad_file(const std::string& what) {
  return tpm_error("BAD_QUOTE_FILE", "quote file: " + what);
}

void put_u16(Bytes& out, std::size_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// A bounds-checked reader over the quote file.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  [[nodiscard]] bool take(std::size_t n, std::span<const std::uint8_t>& out) {
    if (bytes_.size() - pos_ < n)
      return false;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool u16(std::size_t& v) {
    std::span<const std::uint8_t> b;
    if (!take(2, b))
      return false;
    v = (std::size_t{b[0]} << 8) | b[1];
    return true;
  }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

std::string hex_of(const std::uint8_t* p, std::size_t n) {
  return to_hex(std::span<const std::uint8_t>(p, n));
}

// ECDSA-P256/SHA-256 over `data` with r and s from the TPM signature.
bool ecdsa_verify(EVP_PKEY* key, std::span<const std::uint8_t> data, const TPMS_SIGNATURE_ECDSA& sig) {
  if (sig.signatureR.size > sizeof sig.signatureR.buffer ||
      sig.signatureS.size > sizeof sig.signatureS.buffer)
    return false;
  const auto der =
      ecdsa_signature_der(std::span(sig.signatureR.buffer, sig.signatureR.size),
                          std::span(sig.signatureS.buffer, sig.signatureS.size), ScalarOrder::kBigEndian);
  if (!der)
    return false;
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), der->data(), der->size(), data.data(), data.size()) == 1;
}

}  // namespace

Bytes encode_quote(const Quote& quote) {
  Bytes out(kMagic, kMagic + 4);
  out.push_back(kQuoteFileVersion);
  out.push_back(0);
  put_u16(out, quote.attest.size());
  out.insert(out.end(), quote.attest.begin(), quote.attest.end());
  put_u16(out, quote.signature.size());
  out.insert(out.end(), quote.signature.begin(), quote.signature.end());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(quote.pcrs.mask >> shift));
  out.push_back(static_cast<std::uint8_t>(quote.pcr_values.size()));
  for (const auto& v : quote.pcr_values)
    out.insert(out.end(), v.begin(), v.end());
  return out;
}

Result<Quote> decode_quote(std::span<const std::uint8_t> bytes) {
  Reader in(bytes);
  std::span<const std::uint8_t> head;
  if (!in.take(6, head))
    return bad_file("truncated header");
  if (std::memcmp(head.data(), kMagic, 4) != 0)
    return bad_file("bad magic (not a snprelay quote file)");
  if (head[4] != kQuoteFileVersion)
    return bad_file("unknown format version " + std::to_string(head[4]) + " (this build reads 1)");
  Quote q;
  std::size_t n = 0;
  std::span<const std::uint8_t> field;
  if (!in.u16(n) || n == 0 || !in.take(n, field))
    return bad_file("truncated or empty attestation data");
  q.attest.assign(field.begin(), field.end());
  if (!in.u16(n) || n == 0 || !in.take(n, field))
    return bad_file("truncated or empty signature");
  q.signature.assign(field.begin(), field.end());
  if (!in.take(5, field))
    return bad_file("truncated PCR section");
  q.pcrs.mask = (std::uint32_t{field[0]} << 24) | (std::uint32_t{field[1]} << 16) |
                (std::uint32_t{field[2]} << 8) | field[3];
  if (q.pcrs.empty() || (q.pcrs.mask >> (kMaxPcrIndex + 1)) != 0)
    return bad_file("PCR mask out of range");
  if (field[4] != q.pcrs.count())
    return bad_file("PCR value count " + std::to_string(field[4]) + " does not match the mask (" +
                    std::to_string(q.pcrs.count()) + " PCRs)");
  for (std::size_t i = 0; i < q.pcrs.count(); ++i) {
    if (!in.take(32, field))
      return bad_file("truncated PCR values");
    PcrValue v{};
    std::memcpy(v.data(), field.data(), 32);
    q.pcr_values.push_back(v);
  }
  if (in.remaining() != 0)
    return bad_file(std::to_string(in.remaining()) + " unexpected bytes at the end");
  return q;
}

std::array<std::uint8_t, 32> report_nonce(std::span<const std::uint8_t> report_bytes) {
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_Digest(report_bytes.data(), report_bytes.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string_view quote_failure_name(QuoteFailure failure) {
  switch (failure) {
    case QuoteFailure::kAttestMalformed:
      return "ATTEST_MALFORMED";
    case QuoteFailure::kBadMagic:
      return "BAD_MAGIC";
    case QuoteFailure::kNotAQuote:
      return "NOT_A_QUOTE";
    case QuoteFailure::kNonceMismatch:
      return "NONCE_MISMATCH";
    case QuoteFailure::kPcrSelectionMismatch:
      return "PCR_SELECTION_MISMATCH";
    case QuoteFailure::kPcrDigestMismatch:
      return "PCR_DIGEST_MISMATCH";
    case QuoteFailure::kSignatureMalformed:
      return "SIGNATURE_MALFORMED";
    case QuoteFailure::kSignatureAlgorithm:
      return "SIGNATURE_ALGORITHM";
    case QuoteFailure::kSignatureInvalid:
      return "SIGNATURE_INVALID";
  }
  return "UNKNOWN";
}

Result<QuoteVerdict> verify_quote(const Quote& quote, std::span<const std::uint8_t> expected_nonce,
                                  std::string_view ak_public_pem) {
  const auto len = ossl_int(ak_public_pem.size());
  BioPtr bio(len ? BIO_new_mem_buf(ak_public_pem.data(), *len) : nullptr);
  EvpPkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key)
    return tpm_error("BAD_AK_KEY", "the AK public key is not a PEM public key");
  char group[64] = {};
  std::size_t group_len = 0;
  if (!EVP_PKEY_is_a(key.get(), "EC") ||
      EVP_PKEY_get_utf8_string_param(key.get(), "group", group, sizeof group, &group_len) != 1 ||
      std::string_view(group) != "prime256v1")
    return tpm_error("BAD_AK_KEY", "the AK public key is not an ECC NIST P-256 key");

  QuoteVerdict v;
  auto fail = [&v](QuoteFailure code, std::string message) {
    v.failures.push_back({code, std::move(message)});
  };

  TPMS_ATTEST attest{};
  std::size_t off = 0;
  if (Tss2_MU_TPMS_ATTEST_Unmarshal(quote.attest.data(), quote.attest.size(), &off, &attest) !=
          TSS2_RC_SUCCESS ||
      off != quote.attest.size()) {
    fail(QuoteFailure::kAttestMalformed, "the attestation data does not unmarshal as one TPMS_ATTEST");
  } else {
    v.clock_ms = attest.clockInfo.clock;
    v.reset_count = attest.clockInfo.resetCount;
    v.restart_count = attest.clockInfo.restartCount;
    v.firmware_version = attest.firmwareVersion;
    if (attest.magic != TPM2_GENERATED_VALUE)
      fail(QuoteFailure::kBadMagic, "magic is " + std::to_string(attest.magic) + ", not TPM_GENERATED_VALUE");
    if (attest.type != TPM2_ST_ATTEST_QUOTE) {
      fail(QuoteFailure::kNotAQuote, "attestation type " + std::to_string(attest.type) + " is not a quote");
    } else {
      const auto& sel = attest.attested.quote.pcrSelect;
      std::uint32_t mask = 0;
      bool shape_ok = sel.count == 1 && sel.pcrSelections[0].hash == TPM2_ALG_SHA256 &&
                      sel.pcrSelections[0].sizeofSelect >= 3 && sel.pcrSelections[0].sizeofSelect <= 4;
      if (shape_ok) {
        for (unsigned i = 0; i < sel.pcrSelections[0].sizeofSelect; ++i)
          mask |= std::uint32_t{sel.pcrSelections[0].pcrSelect[i]} << (8 * i);
      }
      if (!shape_ok || mask != quote.pcrs.mask)
        fail(QuoteFailure::kPcrSelectionMismatch,
             "the signed PCR selection differs from the file's (sha256:" + quote.pcrs.to_string() + ")");
      const auto digest = pcr_digest(quote.pcr_values);
      const auto& signed_digest = attest.attested.quote.pcrDigest;
      if (signed_digest.size != digest.size() || std::memcmp(signed_digest.buffer, digest.data(), 32) != 0)
        fail(QuoteFailure::kPcrDigestMismatch, "SHA-256 of the supplied PCR values is " + to_hex(digest) +
                                                   ", the quote signed " +
                                                   hex_of(signed_digest.buffer, signed_digest.size));
    }
    if (attest.extraData.size != expected_nonce.size() ||
        std::memcmp(attest.extraData.buffer, expected_nonce.data(), expected_nonce.size()) != 0)
      fail(QuoteFailure::kNonceMismatch, "qualifying data is " +
                                             hex_of(attest.extraData.buffer, attest.extraData.size) +
                                             ", expected " + to_hex(expected_nonce));
  }

  TPMT_SIGNATURE sig{};
  off = 0;
  if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(quote.signature.data(), quote.signature.size(), &off, &sig) !=
          TSS2_RC_SUCCESS ||
      off != quote.signature.size()) {
    fail(QuoteFailure::kSignatureMalformed, "the signature does not unmarshal as one TPMT_SIGNATURE");
  } else if (sig.sigAlg != TPM2_ALG_ECDSA || sig.signature.ecdsa.hash != TPM2_ALG_SHA256) {
    fail(QuoteFailure::kSignatureAlgorithm,
         "signature algorithm " + std::to_string(sig.sigAlg) + " is not ECDSA with SHA-256");
  } else if (!ecdsa_verify(key.get(), quote.attest, sig.signature.ecdsa)) {
    fail(QuoteFailure::kSignatureInvalid, "the ECDSA signature does not verify with the AK public key");
  }
  return v;
}

}  // namespace snprelay::attest::tpm
