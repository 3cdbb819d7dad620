// Tpm::quote (TPM2_Quote, TCG TPM 2.0 Library Part 3): an ECC P-256 AK under the endorsement hierarchy signs
// a quote.
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include <cstring>

#include "attest/ossl.hpp"
#include "attest/tpm/tpm_error.hpp"
#include "attest/tpm/tpm_impl.hpp"

namespace snprelay::attest::tpm {

using detail::EsysOut;
using detail::out;
using detail::Transient;

namespace {

constexpr int kQuoteAttempts = 3;

TPM2B_PUBLIC ak_template() {
  TPM2B_PUBLIC tmpl;
  std::memset(&tmpl, 0, sizeof tmpl);
  auto& area = tmpl.publicArea;
  area.type = TPM2_ALG_ECC;
  area.nameAlg = TPM2_ALG_SHA256;
  area.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                          TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
  area.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
  area.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
  area.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
  area.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  area.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  area.unique.ecc.x.size = 32;
  area.unique.ecc.y.size = 32;
  return tmpl;
}

// The AK's public point as a PEM SubjectPublicKeyInfo.
Result<std::string> ak_pem(const TPMS_ECC_POINT& point) {
  if (point.x.size != 32 || point.y.size != 32)
    return tpm_error("TPM_ERROR", "the AK public point is not a P-256 point");
  std::uint8_t encoded[65];
  encoded[0] = 0x04;  // uncompressed
  std::memcpy(encoded + 1, point.x.buffer, 32);
  std::memcpy(encoded + 33, point.y.buffer, 32);
  std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<OSSL_PARAM_BLD_free>> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, encoded, sizeof encoded) != 1)
    return tpm_error("TPM_ERROR", "OpenSSL could not build the AK key parameters");
  std::unique_ptr<OSSL_PARAM, OsslDeleter<OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
      EVP_PKEY_fromdata(pctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return tpm_error("TPM_ERROR", "OpenSSL rejected the AK public point");
  EvpPkeyPtr key(raw);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1)
    return tpm_error("TPM_ERROR", "OpenSSL could not write the AK public key as PEM");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

Result<Quote> Tpm::quote(std::span<const std::uint8_t> nonce, PcrSelection pcrs) {
  if (nonce.empty() || nonce.size() > sizeof(TPMU_HA))
    return tpm_error("BAD_NONCE", "qualifying data must be 1..64 bytes, got " + std::to_string(nonce.size()));
  if (pcrs.empty())
    return tpm_error("BAD_PCRS", "the PCR selection is empty (select at least one of 0..23)");
  std::lock_guard lock(mutex_);
  ESYS_CONTEXT* ctx = impl_->ctx();

  const TPM2B_PUBLIC tmpl = ak_template();
  TPM2B_SENSITIVE_CREATE sensitive;
  std::memset(&sensitive, 0, sizeof sensitive);
  TPM2B_DATA outside;
  std::memset(&outside, 0, sizeof outside);
  TPML_PCR_SELECTION creation_pcrs;
  std::memset(&creation_pcrs, 0, sizeof creation_pcrs);
  Transient ak(ctx);
  EsysOut<TPM2B_PUBLIC> ak_public;
  TSS2_RC rc = Esys_CreatePrimary(ctx, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                  &sensitive, &tmpl, &outside, &creation_pcrs, ak.receive(), out(ak_public),
                                  nullptr, nullptr, nullptr);
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_CreatePrimary(attestation key)", rc);

  TPM2B_DATA qualifying;
  std::memset(&qualifying, 0, sizeof qualifying);
  qualifying.size = static_cast<UINT16>(nonce.size());
  std::memcpy(qualifying.buffer, nonce.data(), nonce.size());
  TPMT_SIG_SCHEME scheme;
  std::memset(&scheme, 0, sizeof scheme);
  scheme.scheme = TPM2_ALG_NULL;  // the AK's own scheme: ECDSA/SHA-256
  const TPML_PCR_SELECTION sel = detail::to_tpml(pcrs);

  for (int attempt = 1;; ++attempt) {
    EsysOut<TPM2B_ATTEST> quoted;
    EsysOut<TPMT_SIGNATURE> signature;
    rc = Esys_Quote(ctx, ak.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &qualifying, &scheme, &sel,
                    out(quoted), out(signature));
    if (rc != TSS2_RC_SUCCESS)
      return tss2_error("Esys_Quote", rc);
    auto values = detail::read_pcr_values(ctx, pcrs);
    if (!values)
      return values.error();

    TPMS_ATTEST attest;
    std::memset(&attest, 0, sizeof attest);
    std::size_t off = 0;
    rc = Tss2_MU_TPMS_ATTEST_Unmarshal(quoted->attestationData, quoted->size, &off, &attest);
    if (rc != TSS2_RC_SUCCESS)
      return tss2_error("Tss2_MU_TPMS_ATTEST_Unmarshal", rc);
    const auto digest = pcr_digest(*values);
    const auto& signed_digest = attest.attested.quote.pcrDigest;
    const bool consistent =
        signed_digest.size == 32 && std::memcmp(signed_digest.buffer, digest.data(), 32) == 0;
    if (!consistent && attempt < kQuoteAttempts)
      continue;  // a PCR was extended between Quote and PCR_Read
    if (!consistent)
      return tpm_error("TPM_ERROR", "the PCRs kept changing while quoting (" +
                                        std::to_string(kQuoteAttempts) + " attempts)");

    Quote q;
    q.attest.assign(quoted->attestationData, quoted->attestationData + quoted->size);
    q.signature.resize(sizeof(TPMT_SIGNATURE));
    off = 0;
    rc = Tss2_MU_TPMT_SIGNATURE_Marshal(signature.get(), q.signature.data(), q.signature.size(), &off);
    if (rc != TSS2_RC_SUCCESS)
      return tss2_error("Tss2_MU_TPMT_SIGNATURE_Marshal", rc);
    q.signature.resize(off);
    q.pcrs = pcrs;
    q.pcr_values = std::move(*values);
    auto pem = ak_pem(ak_public->publicArea.unique.ecc);
    if (!pem)
      return pem.error();
    q.ak_public_pem = std::move(*pem);
    return q;
  }
}

}  // namespace snprelay::attest::tpm
