// What `snprelay start` needs on the shared devnet, for the daemon's tests: validator 0's operator
// registers its relayer account (MsgSetRelayer), both keys go into a private keyring (passphrase from
// SNPRELAY_KEY_PASSPHRASE, exported here so the daemon inherits it), and an snprelay.toml in `dir` runs
// the daemon in simulate mode against `rpc` with its allowlist signers pinned from devnet.json, its
// journal and allowlist copy in `dir`, and its API on a free loopback port.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {

struct RelayerSetup {
  std::string operator_address;
  std::string relayer;
  std::string keyring;
  std::string config;
  int api_port = 0;
  [[nodiscard]] std::string api(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(api_port) + path;
  }
};

// What a test changes in the written snprelay.toml: the KDS (default: a closed port, for runs that take
// the VCEK from the simulated firmware's certificate table) and extra lines for [enclave.sev_snp] and [api].
struct RelayerOptions {
  int validator = 0;  // whose operator and relayer (devnet.json "validators")
  std::string kds_base_url = "http://127.0.0.1:9/vcek/v1";
  std::string sev_snp_extra;
  std::string chain_extra;  // lines for [chain]
  std::string api_extra;
  std::string sections;  // whole sections after [api], e.g. "[log]\nformat = \"json\"\n"
};

// Fails the current test (ADD_FAILURE) when a step does; check HasFailure() after it.
inline RelayerSetup setup_relayer(const TempDir& dir, const std::vector<std::string>& rpc,
                                  const RelayerOptions& options = {}) {
  Devnet& net = OnchainEnv::devnet();
  const nlohmann::json& v = net.info().at("validators").at(options.validator);
  RelayerSetup s;
  s.operator_address = v.at("operator").get<std::string>();
  s.relayer = v.at("relayer").get<std::string>();
  s.keyring = dir.file("keys");
  s.config = dir.file("snprelay.toml");
  for (const auto& [name, mnemonic] :
       {std::pair{"operator", "operator_mnemonic"}, {"relayer", "relayer_mnemonic"}}) {
    auto r = snprelay(
        {"keys", "add", name, "--recover", "--mnemonic-file", v.at(mnemonic).get<std::string>()}, s.keyring);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  auto set = snprelay({"tx", "set-relayer", "--from", "operator", "--operator", s.operator_address,
                       "--relayer", s.relayer, "--node", net.rpc().at(0), "--poll-interval", "0.2"},
                      s.keyring);
  EXPECT_EQ(set.exit_code, 0) << set.err;

  s.api_port = free_port_block(1);
  std::ofstream toml(s.config);
  toml << "[enclave]\nhardware_mode = \"simulate\"\n\n[enclave.sev_snp]\n"
       << "kds_base_url = \"" << options.kds_base_url << "\"\n"
       << options.sev_snp_extra << "cert_cache_path = \"" << dir.file("kds-cache") << "\"\n"
       << "sim_state_dir = \"" << net.sim_state() << "\"\n\n"
       << "[chain]\nchain_id = \"" << net.chain_id() << "\"\nrpc = [";
  for (std::size_t i = 0; i < rpc.size(); ++i)
    toml << (i ? ", " : "") << "\"" << rpc[i] << "\"";
  toml << "]\nrpc_timeout = \"60s\"\ngas_price = \"" << net.gas_price() << "\"\n"
       << options.chain_extra << "\n[chain.key]\nname = \"relayer\"\nkeyring_dir = \"" << s.keyring
       << "\"\nprotection = \"passphrase\"\n\n[relayer]\noperator = \"" << s.operator_address
       << "\"\npoll_interval = \"500ms\"\nstate_dir = \"" << dir.path().string() << "\"\njournal_path = \""
       << dir.file("journal.db") << "\"\n\n[allowlist]\nthreshold = " << net.info().at("threshold").get<int>()
       << "\ndb_path = \"" << dir.file("allowlist.db") << "\"\n\n[allowlist.signers]\n";
  for (const auto& signer : net.info().at("signers"))
    toml << signer.at("key_id").get<std::string>() << " = \"" << signer.at("pubkey").get<std::string>()
         << "\"\n";
  toml << "\n[api]\nlisten = \"127.0.0.1:" << s.api_port << "\"\n"
       << options.api_extra << "\n"
       << options.sections;
  ::setenv("SNPRELAY_KEY_PASSPHRASE", "onchain test passphrase", 1);  // snprelay()'s, inherited by the daemon
  return s;
}

// `curl -sS --max-time 20 ARGS...` (the guide's client, as an operator would run it).
inline ProcessResult curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/curl", "-sS", "--max-time", "20"});
  return run_process(args);
}

// GET `url` as a JSON object; {} when the daemon does not answer one (not yet listening, stopped).
inline nlohmann::json api_json(const std::string& url) {
  auto j = nlohmann::json::parse(curl({url}).out, nullptr, false);
  return j.is_discarded() || !j.is_object() ? nlohmann::json::object() : j;
}

// The whole of a text file (a daemon's log), "" when it cannot be read.
inline std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace snprelay::testing
