// Loading the guide's configuration: the start-up cost of `snprelay config check` and the daemon.
#include <benchmark/benchmark.h>

#include "bench/bench_support.hpp"
#include "config/loader.hpp"

namespace {

constexpr const char* kGuide = R"([enclave]
platform = "sev-snp"
hardware_mode = "require"
[enclave.sev_snp]
endpoint = "unix:///var/run/veid-enclave.sock"
kds_base_url = "https://kdsintf.amd.com/vcek/v1"
kds_timeout = "30s"
cert_cache_path = "/var/cache/virtengine/sev-certs"
product_name = "Milan"
allow_debug_policy = false
[enclave.sev_snp.min_tcb]
boot_loader = 2
tee = 0
snp = 8
microcode = 115
)";

void BM_LoadGuideConfig(benchmark::State& state) {
  const auto env = snprelay::config::no_env();
  for (auto _ : state) {
    auto c = snprelay::config::load_config_text(kGuide, "guide.toml", env);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoadGuideConfig);

}  // namespace

int main(int argc, char** argv) {
  return snprelay::bench::bench_main(argc, argv, [](const snprelay::bench::Rates& rates) {
    const auto it = rates.find("BM_LoadGuideConfig");
    return std::vector<snprelay::bench::ResultLine>{
        {"config_load", it != rates.end() ? it->second : 0.0, 0.0}};
  });
}
