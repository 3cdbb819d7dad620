// Tpm::seal and Tpm::unseal (TPM2_Create/Load/Unseal under a PolicyPCR session, TCG TPM 2.0 Part 3), with
// parameter encryption in both directions.
#include <tss2/tss2_mu.h>

#include <cstring>

#include "attest/tpm/sealed_blob.hpp"
#include "attest/tpm/tpm_error.hpp"
#include "attest/tpm/tpm_impl.hpp"

namespace snprelay::attest::tpm {

using detail::EsysOut;
using detail::out;
using detail::SecretOut;
using detail::Transient;
using detail::WipeOnExit;

namespace {

// PolicyPCR over the current values of `sel`, computed by the TPM in a trial session.
Result<EsysOut<TPM2B_DIGEST>> pcr_policy_digest(ESYS_CONTEXT* ctx, const TPML_PCR_SELECTION& sel) {
  TPMT_SYM_DEF no_sym;
  std::memset(&no_sym, 0, sizeof no_sym);
  no_sym.algorithm = TPM2_ALG_NULL;
  Transient trial(ctx);
  TSS2_RC rc =
      Esys_StartAuthSession(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                            nullptr, TPM2_SE_TRIAL, &no_sym, TPM2_ALG_SHA256, trial.receive());
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_StartAuthSession(trial)", rc);
  TPM2B_DIGEST current;  // empty: "the PCRs' current values"
  std::memset(&current, 0, sizeof current);
  rc = Esys_PolicyPCR(ctx, trial.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &current, &sel);
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_PolicyPCR(trial)", rc);
  EsysOut<TPM2B_DIGEST> digest;
  rc = Esys_PolicyGetDigest(ctx, trial.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, out(digest));
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_PolicyGetDigest", rc);
  return digest;
}

template <typename T>
Result<Bytes> marshal(const T& value, TSS2_RC (*fn)(const T*, std::uint8_t[], size_t, size_t*),
                      const char* what) {
  Bytes buf(sizeof(T) + 2);
  std::size_t offset = 0;
  const TSS2_RC rc = fn(&value, buf.data(), buf.size(), &offset);
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error(what, rc);
  buf.resize(offset);
  return buf;
}

}  // namespace

Result<Bytes> Tpm::seal(const SecretBytes& secret, PcrSelection pcrs) {
  if (secret.empty() || secret.size() > kMaxSealedSecret)
    return tpm_error("BAD_SECRET", "a sealed secret must be 1.." + std::to_string(kMaxSealedSecret) +
                                       " bytes, got " + std::to_string(secret.size()));
  if (pcrs.empty())
    return tpm_error("BAD_PCRS", "the PCR selection is empty (select at least one of 0..23)");
  std::lock_guard lock(mutex_);
  ESYS_CONTEXT* ctx = impl_->ctx();
  const TPML_PCR_SELECTION sel = detail::to_tpml(pcrs);

  auto srk = detail::create_srk(ctx);
  if (!srk)
    return srk.error();
  auto policy = pcr_policy_digest(ctx, sel);
  if (!policy)
    return policy.error();

  TPM2B_PUBLIC tmpl;
  std::memset(&tmpl, 0, sizeof tmpl);
  tmpl.publicArea.type = TPM2_ALG_KEYEDHASH;
  tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
  // No userWithAuth: the USER role needs the PCR policy. No sensitiveDataOrigin: we supply the data.
  tmpl.publicArea.objectAttributes =
      TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_NODA | TPMA_OBJECT_ADMINWITHPOLICY;
  tmpl.publicArea.authPolicy = **policy;
  tmpl.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;

  TPM2B_SENSITIVE_CREATE sensitive;
  std::memset(&sensitive, 0, sizeof sensitive);
  WipeOnExit wipe(sensitive);
  sensitive.sensitive.data.size = static_cast<UINT16>(secret.size());
  std::memcpy(sensitive.sensitive.data.buffer, secret.data(), secret.size());

  // The SRK's authorisation travels in an HMAC session salted with the SRK whose DECRYPT attribute
  // makes ESYS encrypt inSensitive, the command's first parameter.
  auto session = detail::start_salted_session(ctx, srk->get(), TPM2_SE_HMAC, TPMA_SESSION_DECRYPT);
  if (!session)
    return session.error();
  TPM2B_DATA outside;
  std::memset(&outside, 0, sizeof outside);
  TPML_PCR_SELECTION creation_pcrs;
  std::memset(&creation_pcrs, 0, sizeof creation_pcrs);
  EsysOut<TPM2B_PRIVATE> priv;
  EsysOut<TPM2B_PUBLIC> pub;
  const TSS2_RC rc =
      Esys_Create(ctx, srk->get(), session->get(), ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &tmpl, &outside,
                  &creation_pcrs, out(priv), out(pub), nullptr, nullptr, nullptr);
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_Create(sealed object)", rc);

  auto pub_bytes = marshal(*pub, Tss2_MU_TPM2B_PUBLIC_Marshal, "Tss2_MU_TPM2B_PUBLIC_Marshal");
  if (!pub_bytes)
    return pub_bytes.error();
  auto priv_bytes = marshal(*priv, Tss2_MU_TPM2B_PRIVATE_Marshal, "Tss2_MU_TPM2B_PRIVATE_Marshal");
  if (!priv_bytes)
    return priv_bytes.error();
  return encode_sealed_blob(SealedBlob{pcrs, std::move(*pub_bytes), std::move(*priv_bytes)});
}

Result<SecretBytes> Tpm::unseal(std::span<const std::uint8_t> blob_bytes) {
  auto blob = decode_sealed_blob(blob_bytes);
  if (!blob)
    return blob.error();
  TPM2B_PUBLIC pub;
  std::memset(&pub, 0, sizeof pub);
  TPM2B_PRIVATE priv;
  std::memset(&priv, 0, sizeof priv);
  std::size_t off = 0;
  TSS2_RC rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob->public_area.data(), blob->public_area.size(), &off, &pub);
  if (rc == TSS2_RC_SUCCESS) {
    off = 0;
    rc = Tss2_MU_TPM2B_PRIVATE_Unmarshal(blob->private_area.data(), blob->private_area.size(), &off, &priv);
  }
  if (rc != TSS2_RC_SUCCESS)
    return tpm_error("BAD_BLOB", "sealed blob: the public or private area does not unmarshal");
  const TPML_PCR_SELECTION sel = detail::to_tpml(blob->pcrs);

  std::lock_guard lock(mutex_);
  ESYS_CONTEXT* ctx = impl_->ctx();
  auto srk = detail::create_srk(ctx);
  if (!srk)
    return srk.error();
  Transient object(ctx);
  rc =
      Esys_Load(ctx, srk->get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub, object.receive());
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_Load(sealed object)", rc);

  // The policy session is salted with the SRK; ENCRYPT makes the TPM encrypt outData, the response's
  // first parameter, so the secret never crosses the TCTI in clear.
  auto session = detail::start_salted_session(ctx, srk->get(), TPM2_SE_POLICY, TPMA_SESSION_ENCRYPT);
  if (!session)
    return session.error();
  TPM2B_DIGEST current;
  std::memset(&current, 0, sizeof current);
  rc = Esys_PolicyPCR(ctx, session->get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &current, &sel);
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_PolicyPCR", rc);
  SecretOut data;
  rc = Esys_Unseal(ctx, object.get(), session->get(), ESYS_TR_NONE, ESYS_TR_NONE, out(data));
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_Unseal", rc);
  return SecretBytes(std::span<const std::uint8_t>(data->buffer, data->size));
}

}  // namespace snprelay::attest::tpm
