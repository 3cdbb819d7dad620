// vTPM latency on a private swtpm (unix socket, state on /dev/shm): seal, unseal (salted policy
// session), quote (AK CreatePrimary + Quote + PCR_Read). Each iteration is one full operation as
// `snprelay tpm ...` does it after open(): the storage primary/AK is recreated and flushed every time.
// Wall-clock time (the work happens in the swtpm process). No crypto-only limit applies: limit = 0.
//
// Also the cost of opening the relayer's signing key from its key file in each protection mode, as
// `tx send --from` and the daemon's start-up do: key_unlock_passphrase (scrypt N=2^15, the default),
// key_unlock_tpm (TPM unseal of the data-encryption key) and key_unlock_snp_simulated (derived key
// from the SIMULATED firmware — a stand-in for SNP_GET_DERIVED_KEY, not a hardware figure).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <utility>

#include "attest/sealing/snp_sealer.hpp"
#include "attest/sim/sim_firmware.hpp"
#include "attest/tpm/tpm.hpp"
#include "attest/tpm/tpm_sealer.hpp"
#include "bench/bench_support.hpp"
#include "chain/keys/account_key.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/keystore.hpp"
#include "chain/keys/passphrase_sealer.hpp"
#include "tests/integration/swtpm_fixture.hpp"
#include "tests/unit/temp_dir.hpp"

namespace {

using namespace snprelay::attest::tpm;

[[noreturn]] void die(const snprelay::Error& e) {
  std::fprintf(stderr, "%s\n", e.to_string().c_str());
  std::exit(1);
}

struct Env {
  snprelay::testing::Swtpm swtpm;
  std::shared_ptr<Tpm> tpm;
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
    make_keys();
  }

  // One stored key per protection mode, in a private directory.
  void make_keys() {
    auto key =
        snprelay::chain::keys::account_key_from_private(snprelay::SecretBytes(snprelay::Bytes(32, 0x11)));
    if (!key)
      die(key.error());
    auto address = snprelay::chain::keys::bech32_address(key->public_key, "cosmos");
    if (!address)
      die(address.error());
    auto fw = snprelay::attest::SimFirmware::open(key_dir.file("sim"), snprelay::attest::SimSettings{});
    if (!fw)
      die(fw.error());
    snp = std::make_unique<snprelay::attest::SnpDerivedSealer>(snprelay::attest::make_simulated_source(*fw),
                                                               snprelay::attest::DerivedKeyRequest{});
    tpm_sealer = std::make_unique<TpmSealer>(tpm, pcrs);
    const snprelay::chain::keys::KeyStore store(key_dir.path() / "keys");
    for (auto [name, sealer] : {std::pair<const char*, snprelay::Sealer*>{"passphrase", &passphrase},
                                {"tpm", tpm_sealer.get()},
                                {"snp", snp.get()}}) {
      if (auto st = store.add(name, *key, *address, "", *sealer); !st)
        die(st.error());
    }
  }

  snprelay::testing::TempDir key_dir;  // removed with the keys when Env goes
  snprelay::chain::keys::PassphraseSealer passphrase{snprelay::SecretBytes::from_string("bench passphrase")};
  std::unique_ptr<TpmSealer> tpm_sealer;
  std::unique_ptr<snprelay::attest::SnpDerivedSealer> snp;
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

void unlock(benchmark::State& state, const char* name, snprelay::Sealer& sealer) {
  const snprelay::chain::keys::KeyStore store(env().key_dir.path() / "keys");
  for (auto _ : state) {
    auto k = store.unlock(name, sealer);
    if (!k)
      state.SkipWithError(k.error().to_string().c_str());
    benchmark::DoNotOptimize(k);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_KeyUnlockPassphrase(benchmark::State& state) {
  unlock(state, "passphrase", env().passphrase);
}
BENCHMARK(BM_KeyUnlockPassphrase)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_KeyUnlockTpm(benchmark::State& state) {
  unlock(state, "tpm", *env().tpm_sealer);
}
BENCHMARK(BM_KeyUnlockTpm)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_KeyUnlockSnpSimulated(benchmark::State& state) {
  unlock(state, "snp", *env().snp);
}
BENCHMARK(BM_KeyUnlockSnpSimulated)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  ::setenv("TSS2_LOG", "all+none", 0);
  g_env = std::make_unique<Env>();
  const int rc = snprelay::bench::bench_main(argc, argv, [](const snprelay::bench::Rates& rates) {
    auto rate = [&](const char* name) {
      const auto it = rates.find(name);
      return it != rates.end() ? it->second : 0.0;
    };
    return std::vector<snprelay::bench::ResultLine>{
        {"tpm_seal", rate("BM_TpmSeal/real_time"), 0.0},
        {"tpm_unseal", rate("BM_TpmUnseal/real_time"), 0.0},
        {"tpm_quote", rate("BM_TpmQuote/real_time"), 0.0},
        {"key_unlock_passphrase", rate("BM_KeyUnlockPassphrase/real_time"), 0.0},
        {"key_unlock_tpm", rate("BM_KeyUnlockTpm/real_time"), 0.0},
        {"key_unlock_snp_simulated", rate("BM_KeyUnlockSnpSimulated/real_time"), 0.0}};
  });
  g_env.reset();
  return rc;
}
