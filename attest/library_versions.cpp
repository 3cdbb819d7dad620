#include "attest/library_versions.hpp"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <tss2/tss2_tctildr.h>

namespace snprelay::attest {

std::vector<std::pair<std::string, std::string>> linked_library_versions() {
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  // Finalizing a null context is a no-op that still calls into the linked tpm2-tss loader.
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  Tss2_TctiLdr_Finalize(&tcti);
  return {
      {"openssl", OpenSSL_version(OPENSSL_VERSION_STRING)},
      {"libcurl", curl != nullptr ? curl->version : "unknown"},
      {"tpm2-tss", SNPRELAY_TSS2_VERSION},
  };
}

}  // namespace snprelay::attest
