// tx_sign: build + sign a MsgSubmitAttestation transaction (body, auth info, sign doc, SHA-256,
// secp256k1 RFC 6979 signature, TxRaw, hash) per second, against raw libsecp256k1 signing of a 32-byte
// digest measured in the same program (the crypto-only limit). Target ratio >= 0.80.
#include <benchmark/benchmark.h>

#include "bench/bench_support.hpp"
#include "chain/crypto/secp256k1.hpp"
#include "chain/keys/account_key.hpp"
#include "chain/tx/messages.hpp"
#include "chain/tx/sign_direct.hpp"

namespace {

using namespace snprelay;

const chain::keys::AccountKey& key() {
  static const chain::keys::AccountKey k = [] {
    auto r =
        chain::keys::account_key_from_private(SecretBytes(std::span<const std::uint8_t>(Bytes(32, 0x42))));
    return std::move(*r);
  }();
  return k;
}

void BM_TxSign(benchmark::State& state) {
  chain::tx::SubmitAttestation msg;
  msg.relayer = "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6";
  msg.operator_address = "cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8";
  msg.report.assign(1184, 0x5a);
  msg.vcek_der.assign(1360, 0x30);
  msg.vcek_sha256.assign(32, 0xab);
  msg.allowlist_version = 3;
  std::uint64_t epoch = 1;
  for (auto _ : state) {
    msg.epoch = epoch++;
    chain::tx::TxSpec spec;
    spec.messages.push_back(chain::tx::make_msg_submit_attestation(msg));
    spec.fee.amount.push_back({"ustake", "5000"});
    spec.fee.gas_limit = 400000;
    spec.chain_id = "snp-devnet-1";
    spec.account_number = 12;
    spec.sequence = epoch;
    auto signed_tx = chain::tx::sign_tx(spec, key());
    benchmark::DoNotOptimize(signed_tx);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TxSign);

void BM_Secp256k1Sign(benchmark::State& state) {
  chain::crypto::Sha256Digest digest{};
  std::uint64_t i = 0;
  for (auto _ : state) {
    digest[0] = static_cast<std::uint8_t>(i);
    digest[1] = static_cast<std::uint8_t>(i++ >> 8);
    auto sig = chain::crypto::sign_digest(key().private_key, digest);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Secp256k1Sign);

}  // namespace

int main(int argc, char** argv) {
  return snprelay::bench::bench_main(argc, argv, [](const snprelay::bench::Rates& rates) {
    std::vector<snprelay::bench::ResultLine> out;
    const auto ours = rates.find("BM_TxSign");
    const auto limit = rates.find("BM_Secp256k1Sign");
    if (ours != rates.end() && limit != rates.end())
      out.push_back({"tx_sign", ours->second, limit->second});
    return out;
  });
}
