// One devnet per test binary: a GoogleTest Environment that starts it before the first test and stops
// it after the last (set up in each binary's main), plus helpers to run the real snprelay binary
// against it. Tests read the devnet with OnchainEnv::devnet(); a devnet that failed to start fails
// every test with the reason (never a skip: the acceptance tests need the real chain).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "chain/rpc/comet_client.hpp"
#include "chain/rpc/curl_transport.hpp"
#include "chain/rpc/queries.hpp"
#include "tests/integration/onchain/devnet.hpp"
#include "tests/integration/run_process.hpp"

namespace snprelay::testing {

class OnchainEnv : public ::testing::Environment {
 public:
  explicit OnchainEnv(DevnetOptions options) : options_(std::move(options)) {}
  void SetUp() override {
    devnet_ = std::make_unique<Devnet>(SNPATTESTD_BIN, SNPRELAY_BIN, options_);
    instance_ = this;
  }
  void TearDown() override {
    devnet_.reset();
    instance_ = nullptr;
  }
  static Devnet& devnet() { return *instance_->devnet_; }

 private:
  static inline OnchainEnv* instance_ = nullptr;
  DevnetOptions options_;
  std::unique_ptr<Devnet> devnet_;
};

// Success when the shared devnet is running; else the reason (ASSERT_TRUE(devnet_ready())).
inline ::testing::AssertionResult devnet_ready() {
  const std::string& why = OnchainEnv::devnet().error();
  if (why.empty())
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the devnet did not start: " << why;
}

// Runs `snprelay ARGS...` with a private key store and passphrase.
inline ProcessResult snprelay(std::vector<std::string> args, const std::string& keyring_dir = "") {
  args.insert(args.begin(), SNPRELAY_BIN);
  std::map<std::string, std::string> env = {{"SNPRELAY_KEY_PASSPHRASE", "onchain test passphrase"}};
  if (!keyring_dir.empty())
    env["SNPRELAY_KEYRING_DIR"] = keyring_dir;
  return run_process(args, env);
}

inline nlohmann::json json_of(const ProcessResult& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

// A library client over the devnet's RPC endpoints.
// `snprelay query snpattest WHAT... --node NODE --json` with the key store `keyring_dir`, as JSON
// (a failed query is a test failure).
inline nlohmann::json query_snpattest(std::vector<std::string> what, const std::string& node,
                                      const std::string& keyring_dir) {
  std::vector<std::string> args = {"query", "snpattest"};
  args.insert(args.end(), what.begin(), what.end());
  args.insert(args.end(), {"--node", node, "--json"});
  auto r = snprelay(args, keyring_dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json_of(r);
}

inline std::unique_ptr<chain::rpc::CometClient> client_for(const std::vector<std::string>& rpc) {
  return std::make_unique<chain::rpc::CometClient>(rpc, std::make_shared<chain::rpc::CurlTransport>(),
                                                   std::chrono::seconds(5));
}

// Waits until an epoch newer than the current one opens (on a fresh devnet, first for the first epoch to
// open at all), so its whole submit window is ahead; returns it, or 0 after a test failure at 90 s.
inline std::uint64_t wait_for_new_epoch(chain::rpc::ChainClient& client) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::optional<std::uint64_t> first;
  while (std::chrono::steady_clock::now() < deadline) {
    auto e = chain::rpc::query_current_epoch(client);
    if (e.ok() && !first)
      first = e->epoch;
    else if (e.ok() && e->epoch > *first)
      return e->epoch;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "no new epoch within 90 s";
  return 0;
}

// The epoch after the one current when called (waiting for the first to open on a fresh chain), as
// `snprelay query snpattest epoch --json` prints it; {} after a test failure (none within 90 s).
inline nlohmann::json next_epoch(const std::string& node, const std::string& keyring_dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::optional<std::uint64_t> seen;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = snprelay({"query", "snpattest", "epoch", "--node", node, "--json"}, keyring_dir);
    if (r.exit_code == 0) {
      const nlohmann::json e = json_of(r);
      const auto n = e.value("epoch", 0ULL);
      if (seen && n > *seen)
        return e;
      if (!seen)
        seen = n;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  ADD_FAILURE() << "no new epoch within 90 s";
  return {};
}

// One simulated attestation by hand, as a relayer makes it: the keys "operator" and "relayer" of
// `keyring_dir` register the relayer (MsgSetRelayer), then for the next epoch the binding, a report from
// `net`'s simulated firmware carrying it and MsgSubmitAttestation. Files go to `dir`; returns the report's
// path (the test asserts on each step's exit code).
inline std::string attest_by_hand(const Devnet& net, const std::string& node, const std::string& keyring_dir,
                                  const std::string& operator_addr, const std::string& relayer_addr,
                                  const std::string& dir) {
  const auto cli = [&](std::vector<std::string> args) { return snprelay(std::move(args), keyring_dir); };
  auto set = cli({"tx", "set-relayer", "--from", "operator", "--operator", operator_addr, "--relayer",
                  relayer_addr, "--node", node, "--poll-interval", "0.2", "--json"});
  EXPECT_EQ(set.exit_code, 0) << set.out << set.err;
  const nlohmann::json e = next_epoch(node, keyring_dir);
  const std::string epoch = std::to_string(e.value("epoch", 0ULL));
  const std::string version = std::to_string(e.value("allowlist_version", 0ULL));
  auto bound =
      cli({"binding", "--chain-id", net.chain_id(), "--epoch", epoch, "--nonce", e.value("nonce", ""),
           "--operator", operator_addr, "--relayer", relayer_addr, "--allowlist-version", version});
  EXPECT_EQ(bound.exit_code, 0) << bound.err;
  std::filesystem::create_directories(dir);
  auto report = cli({"report", "get", "--simulate", "--sim-state", net.sim_state(), "--report-data",
                     bound.out.substr(0, bound.out.find('\n')), "-o", dir + "/report.bin", "--certs-out",
                     dir + "/certs"});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  auto submit = cli({"tx", "submit-attestation", "--from", "relayer", "--operator", operator_addr, "--epoch",
                     epoch, "--report", dir + "/report.bin", "--vcek", dir + "/certs/vcek.der",
                     "--allowlist-version", version, "--node", node, "--poll-interval", "0.2", "--json"});
  EXPECT_EQ(submit.exit_code, 0) << submit.out << submit.err << net.log_tail(1500);
  return dir + "/report.bin";
}

// Governance on the devnet: an allowlist update built from the chain with `change` (`allowlist new`
// flags, e.g. {"--add", "<96 hex>:label"}), signed by two of the devnet's three signers, combined and
// submitted by the account "operator" of `keyring_dir` (not the relayer's: its sequence is the daemon's
// business). The signers' keys are recovered into `keyring_dir` from their devnet mnemonics when not
// there yet. Its files are `dir`/`name`.*. Returns the new version (0 after a test failure).
inline int apply_allowlist_update(const std::string& node, const std::string& keyring_dir,
                                  const std::string& dir, const std::vector<std::string>& change,
                                  const std::string& name) {
  const std::string base = dir + "/" + name;
  std::vector<std::string> args = {"allowlist", "new", "--from-chain", "--node",
                                   node,        "-o",  base + ".bin",  "--json"};
  args.insert(args.end(), change.begin(), change.end());
  auto made = snprelay(args, keyring_dir);
  EXPECT_EQ(made.exit_code, 0) << made.err;
  std::vector<std::string> combine = {"allowlist", "combine", base + ".bin"};
  for (int i = 0; i < 2; ++i) {
    const nlohmann::json& signer = OnchainEnv::devnet().info().at("signers").at(i);
    const std::string id = signer.at("key_id");
    if (!std::filesystem::exists(keyring_dir + "/" + id + ".key")) {
      auto r = snprelay(
          {"keys", "add", id, "--recover", "--mnemonic-file", signer.at("mnemonic").get<std::string>()},
          keyring_dir);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    const std::string sig = base + "." + id + ".sig.json";
    auto signed_ = snprelay({"allowlist", "sign", base + ".bin", "--key", id, "-o", sig}, keyring_dir);
    EXPECT_EQ(signed_.exit_code, 0) << signed_.err;
    combine.push_back(sig);
  }
  combine.insert(combine.end(), {"-o", base + ".msg.json"});
  auto combined = snprelay(combine, keyring_dir);
  EXPECT_EQ(combined.exit_code, 0) << combined.err;
  auto submitted = snprelay({"allowlist", "submit", base + ".msg.json", "--from", "operator", "--node", node,
                             "--poll-interval", "0.2", "--json"},
                            keyring_dir);
  EXPECT_EQ(submitted.exit_code, 0) << submitted.out << submitted.err;
  return made.exit_code == 0 ? json_of(made).value("version", 0) : 0;
}

}  // namespace snprelay::testing
