// vTPM latency on a private swtpm (unix socket, state on /dev/shm): seal, unseal (salted policy
// session), quote (AK CreatePrimary + Quote + PCR_Read). Each iteration is one full operation as
// `snprelay tpm ...` does it after open(): the storage primary/AK is recreated and flushed every time.
// Wall-clock time (the work happens in the swtpm process). No crypto-only limit applies: limit = 0.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "attest/tpm/tpm.hpp"
#include "bench/bench_support.hpp"
#include "tests/integration/swtpm_fixture.hpp"

namespace {

using namespace snprelay::attest::tpm;

struct Env {
  snprelay::testing::Swtpm swtpm;
  std::unique_ptr<Tpm> tpm;
  snprelay::SecretBytes secret{32};
  snprelay::Bytes blob;
  PcrSelection pcrs{0x83};  // 0,1,7

  Env() {
    if (const std::string why = swtpm.start(); !why.empty()) {
      std::fprintf(stderr, "swtpm: %s\n", why.c_str());
      std::exit(1);
    }
    auto t = Tpm::open(swtpm.tcti());
    if (!t) {
      std::fprintf(stderr, "%s\n", t.error().to_string().c_str());
      std::exit(1);
    }
    tpm = std::move(*t);
    auto b = tpm->seal(secret, pcrs);
    if (!b)
      std::exit(1);
    blob = *b;
  }
};

// Owned by main(), so the swtpm is stopped and its directory removed before the process exits.
std::unique_ptr<Env> g_env;
Env& env() {
  return *g_env;
}

void BM_TpmSeal(benchmark::State& state) {
  auto& e = env();
  for (auto _ : state) {
    auto b = e.tpm->seal(e.secret, e.pcrs);
    if (!b)
      state.SkipWithError(b.error().to_string().c_str());
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TpmSeal)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_TpmUnseal(benchmark::State& state) {
  auto& e = env();
  for (auto _ : state) {
    auto s = e.tpm->unseal(e.blob);
    if (!s)
      state.SkipWithError(s.error().to_string().c_str());
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TpmUnseal)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_TpmQuote(benchmark::State& state) {
  auto& e = env();
  const snprelay::Bytes report(1184, 0x5A);
  const auto nonce = report_nonce(report);
  for (auto _ : state) {
    auto q = e.tpm->quote(nonce, e.pcrs);
    if (!q)
      state.SkipWithError(q.error().to_string().c_str());
    benchmark::DoNotOptimize(q);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TpmQuote)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  ::setenv("TSS2_LOG", "all+none", 0);
  g_env = std::make_unique<Env>();
  const int rc = snprelay::bench::bench_main(argc, argv, [](const snprelay::bench::Rates& rates) {
    auto rate = [&](const char* name) {
      const auto it = rates.find(name);
      return it != rates.end() ? it->second : 0.0;
    };
    return std::vector<snprelay::bench::ResultLine>{{"tpm_seal", rate("BM_TpmSeal/real_time"), 0.0},
                                                    {"tpm_unseal", rate("BM_TpmUnseal/real_time"), 0.0},
                                                    {"tpm_quote", rate("BM_TpmQuote/real_time"), 0.0}};
  });
  g_env.reset();
  return rc;
}
