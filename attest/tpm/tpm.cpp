// Tpm: connection, start-up, the storage primary, salted sessions and PCR reads. Sealing is in
// seal.cpp, quoting in quote_tpm.cpp.
#include <tss2/tss2_tctildr.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "attest/tpm/tpm_error.hpp"
#include "attest/tpm/tpm_impl.hpp"

namespace snprelay::attest::tpm {

using detail::EsysOut;
using detail::out;
using detail::Transient;

Tpm::Tpm(std::string tcti, std::unique_ptr<Impl> impl) : tcti_(std::move(tcti)), impl_(std::move(impl)) {}
Tpm::~Tpm() = default;

void cap_tss2_logging() {
  static const std::string kCap = ",esys+warning,esys_crypto+warning";
  const char* user = std::getenv("TSS2_LOG");
  const std::string current = user != nullptr ? user : "";
  if (current == "all+none" || current.ends_with(kCap))
    return;
  ::setenv("TSS2_LOG", current.empty() ? "all+none" : (current + kCap).c_str(), 1);
}

Result<std::unique_ptr<Tpm>> Tpm::open(const std::string& tcti) {
  cap_tss2_logging();
  if (tcti.empty())
    return tpm_error("BAD_TCTI",
                     "no TCTI given: name one explicitly (device:/dev/tpmrm0, swtpm:path=...); the loader's "
                     "implicit search is never used");
  auto impl = std::make_unique<Impl>();
  TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti.c_str(), out(impl->tcti));
  if (rc != TSS2_RC_SUCCESS) {
    Error e = tss2_error("Tss2_TctiLdr_Initialize(\"" + tcti + "\")", rc);
    return e;
  }
  rc = Esys_Initialize(out(impl->esys), impl->tcti.get(), nullptr);
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_Initialize", rc);
  rc = Esys_Startup(impl->ctx(), TPM2_SU_CLEAR);
  if (rc != TSS2_RC_SUCCESS && base_tpm_rc(rc) != TPM2_RC_INITIALIZE)
    return tss2_error("Esys_Startup", rc);
  return std::unique_ptr<Tpm>(new Tpm(tcti, std::move(impl)));
}

Result<std::vector<PcrValue>> Tpm::read_pcrs(PcrSelection pcrs) {
  if (pcrs.empty())
    return tpm_error("BAD_PCRS", "the PCR selection is empty");
  std::lock_guard lock(mutex_);
  return detail::read_pcr_values(impl_->ctx(), pcrs);
}

namespace detail {

TPML_PCR_SELECTION to_tpml(PcrSelection pcrs) {
  TPML_PCR_SELECTION sel;
  std::memset(&sel, 0, sizeof sel);
  sel.count = 1;
  sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
  sel.pcrSelections[0].sizeofSelect = 3;
  for (unsigned i = 0; i < 3; ++i)
    sel.pcrSelections[0].pcrSelect[i] = static_cast<std::uint8_t>(pcrs.mask >> (8 * i));
  return sel;
}

Result<Transient> create_srk(ESYS_CONTEXT* ctx) {
  TPM2B_PUBLIC tmpl;
  std::memset(&tmpl, 0, sizeof tmpl);
  auto& area = tmpl.publicArea;
  area.type = TPM2_ALG_ECC;
  area.nameAlg = TPM2_ALG_SHA256;
  area.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                          TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED |
                          TPMA_OBJECT_DECRYPT;
  area.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
  area.parameters.eccDetail.symmetric.keyBits.aes = 128;
  area.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
  area.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  area.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  area.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  area.unique.ecc.x.size = 32;
  area.unique.ecc.y.size = 32;

  TPM2B_SENSITIVE_CREATE sensitive;
  std::memset(&sensitive, 0, sizeof sensitive);
  TPM2B_DATA outside;
  std::memset(&outside, 0, sizeof outside);
  TPML_PCR_SELECTION creation_pcrs;
  std::memset(&creation_pcrs, 0, sizeof creation_pcrs);

  Transient srk(ctx);
  const TSS2_RC rc =
      Esys_CreatePrimary(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive,
                         &tmpl, &outside, &creation_pcrs, srk.receive(), nullptr, nullptr, nullptr, nullptr);
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_CreatePrimary(storage key)", rc);
  return srk;
}

Result<Transient> start_salted_session(ESYS_CONTEXT* ctx, ESYS_TR salt_key, TPM2_SE type,
                                       TPMA_SESSION attributes) {
  TPMT_SYM_DEF sym;
  std::memset(&sym, 0, sizeof sym);
  sym.algorithm = TPM2_ALG_AES;
  sym.keyBits.aes = 128;
  sym.mode.aes = TPM2_ALG_CFB;
  Transient session(ctx);
  TSS2_RC rc = Esys_StartAuthSession(ctx, salt_key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                     nullptr, type, &sym, TPM2_ALG_SHA256, session.receive());
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_StartAuthSession(salted)", rc);
  rc = Esys_TRSess_SetAttributes(ctx, session.get(), attributes, attributes);
  if (rc != TSS2_RC_SUCCESS)
    return tss2_error("Esys_TRSess_SetAttributes", rc);
  return session;
}

Result<std::vector<PcrValue>> read_pcr_values(ESYS_CONTEXT* ctx, PcrSelection pcrs) {
  std::map<unsigned, PcrValue> values;
  std::uint32_t remaining = pcrs.mask;
  while (remaining != 0) {
    const TPML_PCR_SELECTION want = to_tpml(PcrSelection{remaining});
    EsysOut<TPML_PCR_SELECTION> got;
    EsysOut<TPML_DIGEST> digests;
    const TSS2_RC rc =
        Esys_PCR_Read(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &want, nullptr, out(got), out(digests));
    if (rc != TSS2_RC_SUCCESS)
      return tss2_error("Esys_PCR_Read", rc);
    std::uint32_t returned = 0;
    for (std::uint32_t s = 0; s < got->count; ++s) {
      const auto& ps = got->pcrSelections[s];
      if (ps.hash != TPM2_ALG_SHA256)
        continue;
      for (unsigned byte = 0; byte < ps.sizeofSelect && byte < 3; ++byte)
        returned |= std::uint32_t{ps.pcrSelect[byte]} << (8 * byte);
    }
    if ((returned & ~remaining) != 0)
      return tpm_error("TPM_ERROR", "PCR_Read returned PCRs that were not asked for");
    if (returned == 0)
      return tpm_error("TPM_ERROR",
                       "PCR_Read returned none of PCRs sha256:" + PcrSelection{remaining}.to_string() +
                           " (is the sha256 bank allocated?)");
    std::uint32_t i = 0;
    for (unsigned index : PcrSelection{returned}.indices()) {
      if (i >= digests->count || digests->digests[i].size != 32)
        return tpm_error("TPM_ERROR", "PCR_Read returned a malformed digest list");
      PcrValue v{};
      std::memcpy(v.data(), digests->digests[i].buffer, 32);
      values[index] = v;
      ++i;
    }
    remaining &= ~returned;
  }
  std::vector<PcrValue> ordered;
  ordered.reserve(values.size());
  for (const auto& [index, v] : values)
    ordered.push_back(v);
  return ordered;
}

}  // namespace detail
}  // namespace snprelay::attest::tpm
