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

// Fails the current test (ADD_FAILURE) when a step does; check HasFailure() after it.
inline RelayerSetup setup_relayer(const TempDir& dir, const std::vector<std::string>& rpc) {
  Devnet& net = OnchainEnv::devnet();
  const nlohmann::json& v = net.info().at("validators").at(0);
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
       << "kds_base_url = \"http://127.0.0.1:9/vcek/v1\"\n"
       << "cert_cache_path = \"" << dir.file("kds-cache") << "\"\n"
       << "sim_state_dir = \"" << net.sim_state() << "\"\n\n"
       << "[chain]\nchain_id = \"" << net.chain_id() << "\"\nrpc = [";
  for (std::size_t i = 0; i < rpc.size(); ++i)
    toml << (i ? ", " : "") << "\"" << rpc[i] << "\"";
  toml << "]\nrpc_timeout = \"60s\"\ngas_price = \"" << net.gas_price()
       << "\"\n\n[chain.key]\nname = \"relayer\"\nkeyring_dir = \"" << s.keyring
       << "\"\nprotection = \"passphrase\"\n\n[relayer]\noperator = \"" << s.operator_address
       << "\"\npoll_interval = \"500ms\"\nstate_dir = \"" << dir.path().string() << "\"\njournal_path = \""
       << dir.file("journal.db") << "\"\n\n[allowlist]\nthreshold = " << net.info().at("threshold").get<int>()
       << "\ndb_path = \"" << dir.file("allowlist.db") << "\"\n\n[allowlist.signers]\n";
  for (const auto& signer : net.info().at("signers"))
    toml << signer.at("key_id").get<std::string>() << " = \"" << signer.at("pubkey").get<std::string>()
         << "\"\n";
  toml << "\n[api]\nlisten = \"127.0.0.1:" << s.api_port << "\"\n";
  ::setenv("SNPRELAY_KEY_PASSPHRASE", "onchain test passphrase", 1);  // snprelay()'s, inherited by the daemon
  return s;
}

}  // namespace snprelay::testing
