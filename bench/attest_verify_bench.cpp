// verify_full and verify_cached_chain, beside the OpenSSL limit measured in the same run.
//
// Workload: the real virtee Milan v2 report with its real VCEK, all integrity checks plus a minimum
// TCB, at a fixed time. "Full" re-parses the VCEK and verifies ARK self-signature, ARK->ASK, ASK->VCEK
// (3 x RSA-4096-PSS) and the report (1 x ECDSA P-384) every time; "cached chain" reuses the verified
// chain (times still checked) and pays one ECDSA P-384 verify.
// Limits: full = 1 / (1/p384 + 3/rsa4096), cached = p384 — raw EVP_DigestVerify rates, same process.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdlib>

#include "attest/amd_roots.hpp"
#include "attest/certs.hpp"
#include "attest/verify.hpp"
#include "bench/bench_support.hpp"
#include "common/hex.hpp"

namespace {

using namespace snprelay;
using namespace snprelay::attest;

struct Inputs {
  Bytes report;
  Bytes vcek_der;
  X509Ptr vcek;
  Bytes sig_der;
};

const Inputs& inputs() {
  static const Inputs in = [] {
    Inputs i;
    i.report = read_file(std::string(SNPRELAY_TEST_DATA) + "/snp/milan_v2_virtee_report.bin").value();
    i.vcek_der = read_file(std::string(SNPRELAY_TEST_DATA) + "/snp/milan_virtee_vcek.der").value();
    i.vcek = std::move(parse_cert_der(i.vcek_der).value());
    i.sig_der = report_signature_der(parse_report(i.report).value()).value();
    return i;
  }();
  return in;
}

VerifyOptions options(bool cache) {
  VerifyOptions o;
  o.at = 1780272000;  // 2026-06-01
  o.minimum_tcb = MinTcb{3, 0, 8, 115, std::nullopt};
  o.vmpls = {0};
  o.use_chain_cache = cache;
  return o;
}

void run_verify(benchmark::State& state, bool cache) {
  const Inputs& in = inputs();
  const Verifier verifier = Verifier::create().value();
  const VerifyOptions o = options(cache);
  if (!verifier.verify(in.report, in.vcek_der, o).accepted())
    std::abort();
  for (auto _ : state) {
    Verdict v = verifier.verify(in.report, in.vcek_der, o);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyFull(benchmark::State& state) {
  run_verify(state, false);
}
void BM_VerifyCachedChain(benchmark::State& state) {
  run_verify(state, true);
}

// Raw OpenSSL: one ECDSA P-384/SHA-384 verify of the report.
void BM_OpensslP384Verify(benchmark::State& state) {
  const Inputs& in = inputs();
  EVP_PKEY* key = X509_get0_pubkey(in.vcek.get());
  for (auto _ : state) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key);
    const int ok =
        EVP_DigestVerify(ctx.get(), in.sig_der.data(), in.sig_der.size(), in.report.data(), kSignedSize);
    if (ok != 1)
      std::abort();
  }
  state.SetItemsProcessed(state.iterations());
}

// Raw OpenSSL: one RSA-4096 PSS(SHA-384, salt 48) verify — the ASK's signature over the VCEK's TBS.
void BM_OpensslRsa4096PssVerify(benchmark::State& state) {
  const Inputs& in = inputs();
  const PinnedRoots& roots = amd_pinned_roots();
  EVP_PKEY* ask_key = X509_get0_pubkey(roots.intermediates.front().cert.get());  // SEV-Milan
  unsigned char* tbs = nullptr;
  const int tbs_len = i2d_re_X509_tbs(in.vcek.get(), &tbs);
  const ASN1_BIT_STRING* sig = nullptr;
  X509_get0_signature(&sig, nullptr, in.vcek.get());
  for (auto _ : state) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha384(), nullptr, ask_key);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384());
    const int ok = EVP_DigestVerify(ctx.get(), ASN1_STRING_get0_data(sig),
                                    static_cast<std::size_t>(ASN1_STRING_length(sig)), tbs,
                                    static_cast<std::size_t>(tbs_len));
    if (ok != 1)
      std::abort();
  }
  OPENSSL_free(tbs);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_VerifyFull);
BENCHMARK(BM_VerifyCachedChain);
BENCHMARK(BM_OpensslP384Verify);
BENCHMARK(BM_OpensslRsa4096PssVerify);

}  // namespace

int main(int argc, char** argv) {
  return bench::bench_main(argc, argv, [](const bench::Rates& rates) {
    auto rate = [&](const char* name) {
      const auto it = rates.find(name);
      return it != rates.end() ? it->second : 0.0;
    };
    const double p384 = rate("BM_OpensslP384Verify");
    const double rsa = rate("BM_OpensslRsa4096PssVerify");
    const double full_limit = p384 > 0 && rsa > 0 ? 1.0 / (1.0 / p384 + 3.0 / rsa) : 0.0;
    return std::vector<bench::ResultLine>{
        {"verify_full", rate("BM_VerifyFull"), full_limit},
        {"verify_cached_chain", rate("BM_VerifyCachedChain"), p384},
    };
  });
}
