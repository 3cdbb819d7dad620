// relayer/app/init_config: `snprelay init`'s configuration from a devnet.json fixture or a real chain's
// flags, loaded back with the real config loader; the never-overwrite rule; the relayer key import.
#include "relayer/app/init_config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chain/keys/account_key.hpp"
#include "chain/keys/secret_input.hpp"
#include "config/loader.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::app {
namespace {

using nlohmann::json;

constexpr const char* kPub1 = "02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr const char* kPub2 = "03bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
// The BIP-39 test mnemonic (all-zero entropy): a real key nobody should fund.
constexpr const char* kMnemonic =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

class InitConfig : public ::testing::Test {
 protected:
  // A devnet.json as `snpattestd devnet init --validators 2` writes it (fields per devnet_manifest.go).
  json manifest() const {
    json v0 = {{"moniker", "val0"},
               {"operator", "cosmosvaloper1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnxz90a2"},
               {"account", "cosmos1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnrk363e"},
               {"operator_mnemonic", dir_.file("op0.mnemonic")},
               {"relayer", "cosmos1relayer0"},
               {"relayer_mnemonic", dir_.file("rl0.mnemonic")}};
    json v1 = v0;
    v1["moniker"] = "val1";
    v1["operator"] = "cosmosvaloper1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc56kct20";
    v1["relayer"] = "cosmos1relayer1";
    return {{"chain_id", "snpdev-1"},
            {"denom", "ustake"},
            {"min_gas_price", "0.025"},
            {"rpc", {"http://127.0.0.1:26657", "http://127.0.0.1:26667"}},
            {"validators", {v0, v1}},
            {"accounts", json::array()},
            {"signers",
             {{{"key_id", "signer1"}, {"pubkey", kPub1}, {"mnemonic", "/x/s1"}},
              {{"key_id", "signer2"}, {"pubkey", kPub2}, {"mnemonic", "/x/s2"}}}},
            {"threshold", 2},
            {"gov_authority", "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"},
            {"epoch_blocks", 10}};
  }

  InitOptions options() const {
    InitOptions o;
    o.home = dir_.file("home");
    return o;
  }

  // Renders, loads with the real loader (no environment) and returns the Config.
  static config::Config load(const InitSettings& s) {
    auto c = config::load_config_text(render_init_config(s), "init.toml", config::no_env());
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string()) << "\n" << render_init_config(s);
    return c.ok() ? *c : config::Config{};
  }

  static Error parse_error(const json& j) {
    auto m = parse_devnet_manifest(j.dump(), "devnet.json");
    EXPECT_FALSE(m.ok());
    return m.ok() ? Error{} : m.error();
  }

  snprelay::testing::TempDir dir_{"init-config"};
};

// Issue 21: devnet.json with a key twice was read with the last value; it is refused naming the key.
TEST_F(InitConfig, ADevnetManifestWithADuplicateKeyIsRefused) {
  std::string text = manifest().dump();
  text.insert(1, "\"chain_id\": \"other-chain\", ");
  auto m = parse_devnet_manifest(text, "devnet.json");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("\"chain_id\" appears twice"), std::string::npos) << m.error().message;
}

TEST_F(InitConfig, DevnetValidatorRendersAConfigurationTheLoaderReadsBackFieldByField) {
  auto m = parse_devnet_manifest(manifest().dump(), "devnet.json");
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  InitOptions o = options();
  o.sim_state_dir = "/srv/sim \"state\"";  // quotes survive the TOML escaping
  o.api_listen = "127.0.0.1:18080";
  o.kds_base_url = "http://127.0.0.1:9999/vcek/v1";
  auto s = devnet_settings(*m, 1, o);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const config::Config c = load(*s);
  const std::string home = dir_.file("home");
  EXPECT_EQ(c.enclave.hardware_mode, config::HardwareMode::kSimulate);
  EXPECT_EQ(c.enclave.sev_snp.sim_state_dir, "/srv/sim \"state\"");
  EXPECT_EQ(c.enclave.sev_snp.kds_base_url, "http://127.0.0.1:9999/vcek/v1");
  EXPECT_EQ(c.enclave.sev_snp.cert_cache_path, home + "/kds-cache");
  EXPECT_EQ(c.chain.chain_id, "snpdev-1");
  EXPECT_EQ(c.chain.rpc, (std::vector<std::string>{"http://127.0.0.1:26657", "http://127.0.0.1:26667"}));
  EXPECT_EQ(c.chain.gas_price, "0.025ustake");
  EXPECT_EQ(c.chain.key.name, "relayer");
  EXPECT_EQ(c.chain.key.keyring_dir, home + "/keys");
  EXPECT_EQ(c.chain.key.protection, config::KeyProtection::kPassphrase);
  EXPECT_EQ(c.relayer.operator_address, "cosmosvaloper1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc56kct20");
  EXPECT_EQ(c.relayer.state_dir, home);
  EXPECT_EQ(c.relayer.journal_path, home + "/journal.db");
  EXPECT_EQ(c.allowlist.db_path, home + "/allowlist.db");
  EXPECT_EQ(c.allowlist.threshold, 2);
  EXPECT_EQ(c.allowlist.signers,
            (std::vector<config::AllowlistSigner>{{"signer1", kPub1}, {"signer2", kPub2}}));
  EXPECT_EQ(c.api.listen, "127.0.0.1:18080");
  EXPECT_EQ(s->relayer, "cosmos1relayer1");
  EXPECT_EQ(init_config_path(*s), home + "/snprelay.toml");
  EXPECT_TRUE(init_left_to_do(*s).empty());
}

TEST_F(InitConfig, WithoutKdsFlagTheConfigKeepsAmdsKdsAndTheChosenProtection) {
  auto m = parse_devnet_manifest(manifest().dump(), "devnet.json");
  ASSERT_TRUE(m.ok());
  InitOptions o = options();
  o.sim_state_dir = "/srv/sim";
  o.protection = config::KeyProtection::kTpm;
  o.tpm_tcti = "swtpm:port=2321";
  auto s = devnet_settings(*m, 0, o);
  ASSERT_TRUE(s.ok());
  const config::Config c = load(*s);
  EXPECT_EQ(c.enclave.sev_snp.kds_base_url, config::SevSnpConfig{}.kds_base_url);
  EXPECT_EQ(c.chain.key.protection, config::KeyProtection::kTpm);
  EXPECT_EQ(c.tpm.tcti, "swtpm:port=2321");
  EXPECT_EQ(c.api.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.relayer.operator_address, "cosmosvaloper1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnxz90a2");
}

TEST_F(InitConfig, TheManifestsSimStateIsUsedAndItsAbsenceWithoutTheFlagIsAnInputError) {
  json j = manifest();
  auto without = parse_devnet_manifest(j.dump(), "devnet.json");
  ASSERT_TRUE(without.ok());
  auto none = devnet_settings(*without, 0, options());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "NO_SIM_STATE");
  EXPECT_EQ(none.error().kind, ErrorKind::kInput);
  j["sim_state"] = "/devnet/sim";
  auto with = parse_devnet_manifest(j.dump(), "devnet.json");
  ASSERT_TRUE(with.ok());
  auto s = devnet_settings(*with, 0, options());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(load(*s).enclave.sev_snp.sim_state_dir, "/devnet/sim");
}

TEST_F(InitConfig, AMissingOrMistypedFieldIsNamedByItsPath) {
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& j) { j.erase("chain_id"); }, "\"chain_id\""},
      {[](json& j) { j["rpc"] = json::array(); }, "\"rpc\""},
      {[](json& j) { j["rpc"][1] = "tcp://x"; }, "\"rpc[1]\""},
      {[](json& j) { j["threshold"] = "2"; }, "\"threshold\""},
      {[](json& j) { j["signers"][1].erase("pubkey"); }, "\"signers[1].pubkey\""},
      {[](json& j) { j["validators"][1].erase("relayer_mnemonic"); }, "\"validators[1].relayer_mnemonic\""},
      {[](json& j) { j["validators"][0]["operator"] = 7; }, "\"validators[0].operator\""},
      {[](json& j) { j.erase("validators"); }, "\"validators\""},
  };
  for (const auto& [mutate, named] : cases) {
    json j = manifest();
    mutate(j);
    const Error e = parse_error(j);
    EXPECT_EQ(e.code, "BAD_DEVNET") << named;
    EXPECT_EQ(e.kind, ErrorKind::kInput) << named;
    EXPECT_NE(e.message.find(named), std::string::npos) << e.message;
  }
  auto not_json = parse_devnet_manifest("{\"chain_id\": ", "net/devnet.json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.error().message.find("net/devnet.json"), std::string::npos);
}

TEST_F(InitConfig, AValidatorIndexOutOfRangeNamesTheIndexAndTheCount) {
  auto m = parse_devnet_manifest(manifest().dump(), "devnet.json");
  ASSERT_TRUE(m.ok());
  InitOptions o = options();
  o.sim_state_dir = "/srv/sim";
  auto s = devnet_settings(*m, 2, o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "BAD_VALIDATOR");
  EXPECT_EQ(s.error().kind, ErrorKind::kInput);
  EXPECT_NE(s.error().message.find("--validator 2"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("2 validator(s)"), std::string::npos) << s.error().message;
  o.home = "relative/home";
  auto rel = devnet_settings(*m, 0, o);
  ASSERT_FALSE(rel.ok());
  EXPECT_NE(rel.error().message.find("--home"), std::string::npos);
}

TEST_F(InitConfig, ARealChainRendersRequireModeWithoutSimulationOrSigners) {
  auto s = chain_settings("veid-1", {"https://rpc.example:443", "http://10.0.0.2:26657"},
                          "cosmosvaloper1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnxz90a2", options());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const std::string text = render_init_config(*s);
  EXPECT_EQ(text.find("sim_state_dir"), std::string::npos) << text;
  const config::Config c = load(*s);
  EXPECT_EQ(c.enclave.hardware_mode, config::HardwareMode::kRequire);
  EXPECT_EQ(c.chain.chain_id, "veid-1");
  EXPECT_EQ(c.chain.rpc, (std::vector<std::string>{"https://rpc.example:443", "http://10.0.0.2:26657"}));
  EXPECT_TRUE(c.allowlist.signers.empty());
  EXPECT_EQ(c.relayer.journal_path, dir_.file("home") + "/journal.db");
  const auto todo = init_left_to_do(*s);
  ASSERT_EQ(todo.size(), 4u);
  EXPECT_NE(todo[0].find("[allowlist.signers]"), std::string::npos);
  EXPECT_NE(todo[1].find("gas_price"), std::string::npos);
  EXPECT_NE(todo[2].find("snprelay keys add relayer"), std::string::npos);
}

TEST_F(InitConfig, ARealChainRefusesAnOperatorThatIsNotAValoperAndMissingNodes) {
  for (const std::string bad : {"cosmos1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnrk363e",  // an account, not valoper
                                "cosmosvaloper1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnxz90a3",  // bad checksum
                                "nonsense"}) {
    auto s = chain_settings("veid-1", {"http://n:26657"}, bad, options());
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().kind, ErrorKind::kInput);
    EXPECT_NE(s.error().message.find("--operator"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find(bad), std::string::npos) << s.error().message;
  }
  auto none = chain_settings("veid-1", {}, "cosmosvaloper1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnxz90a2", options());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("--node"), std::string::npos);
}

TEST_F(InitConfig, AnExistingConfigurationIsNeverOverwrittenAndForceKeepsABackup) {
  const std::string home = dir_.file("home");
  const std::string path = home + "/snprelay.toml";
  auto first = write_init_config(path, "# one\n", false);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_TRUE(first->empty());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(home.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto absent = check_config_absent(path, false);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, "CONFIG_EXISTS");
  EXPECT_NE(absent.error().message.find(path), std::string::npos);
  auto again = write_init_config(path, "# two\n", false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "CONFIG_EXISTS");
  const auto read = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  EXPECT_EQ(read(path), "# one\n");

  auto forced = write_init_config(path, "# three\n", true);
  ASSERT_TRUE(forced.ok()) << forced.error().to_string();
  EXPECT_EQ(*forced, path + ".bak");
  EXPECT_EQ(read(path), "# three\n");
  EXPECT_EQ(read(path + ".bak"), "# one\n");
}

TEST_F(InitConfig, TheRelayerKeyIsImportedOnceAndAForeignKeyOrMnemonicIsRefused) {
  const std::string mnemonic = dir_.file("relayer.mnemonic");
  std::ofstream(mnemonic) << kMnemonic << "\n";
  ::chmod(mnemonic.c_str(), 0600);
  const std::string pass = dir_.file("pass");
  std::ofstream(pass) << "init test passphrase\n";
  ::chmod(pass.c_str(), 0600);
  auto words = chain::keys::read_secret_file(mnemonic);
  ASSERT_TRUE(words.ok());
  auto key = chain::keys::account_key_from_mnemonic(*words, SecretBytes(), "m/44'/118'/0'/0/0");
  ASSERT_TRUE(key.ok());
  auto address = chain::keys::bech32_address(key->public_key, "cosmos");
  ASSERT_TRUE(address.ok());

  const chain::keys::KeyStore store(dir_.file("keys"));
  KeyRequest request;
  request.passphrase_file = pass;
  auto wrong = import_key_from_mnemonic(store, "relayer", mnemonic, "cosmos1someoneelse",
                                        ProtectionMode::kPassphrase, request, {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "ADDRESS_MISMATCH");
  EXPECT_FALSE(store.show("relayer").ok());

  auto first = import_key_from_mnemonic(store, "relayer", mnemonic, *address, ProtectionMode::kPassphrase,
                                        request, {});
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(*first, KeyImport::kImported);
  auto info = store.show("relayer");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->address, *address);
  EXPECT_EQ(info->protection, "passphrase");
  // It opens without a prompt with the same passphrase.
  EXPECT_TRUE(open_key(store, "relayer", request, {}).ok());

  auto second =
      import_key_from_mnemonic(store, "relayer", mnemonic, *address, ProtectionMode::kPassphrase, {}, {});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(*second, KeyImport::kAlreadyPresent);

  const std::string other = dir_.file("other.mnemonic");
  std::ofstream(other) << "legal winner thank year wave sausage worth useful legal winner thank yellow\n";
  ::chmod(other.c_str(), 0600);
  auto foreign =
      import_key_from_mnemonic(store, "relayer", other, "", ProtectionMode::kPassphrase, request, {});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, "KEY_MISMATCH");
}

TEST_F(InitConfig, SnpDerivedProtectionSealsToTheDevnetsSimulatedFirmwareWithoutAnySecret) {
  const std::string mnemonic = dir_.file("relayer.mnemonic");
  std::ofstream(mnemonic) << kMnemonic << "\n";
  ::chmod(mnemonic.c_str(), 0600);
  auto m = parse_devnet_manifest(manifest().dump(), "devnet.json");
  ASSERT_TRUE(m.ok());
  InitOptions o = options();
  o.sim_state_dir = dir_.file("sim");
  o.protection = config::KeyProtection::kSnpDerived;
  auto s = devnet_settings(*m, 0, o);
  ASSERT_TRUE(s.ok());
  auto config = std::make_shared<const config::Config>(load(*s));
  const KeyDefaults defaults = key_defaults(config, init_config_path(*s));
  const chain::keys::KeyStore store = key_store("", defaults);
  EXPECT_EQ(store.path_of("relayer").parent_path().string(), init_keyring_dir(*s));
  auto r =
      import_key_from_mnemonic(store, "relayer", mnemonic, "", ProtectionMode::kSnpDerived, {}, defaults);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto info = store.show("relayer");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->protection, "snp-derived");
  // What the daemon does with the written configuration: open the key with no request at all.
  EXPECT_TRUE(open_key(store, "relayer", {}, defaults).ok());
}

TEST_F(InitConfig, PassphraseProtectionWithoutAPassphraseSourceIsRefusedBeforeAnyPrompt) {
  const std::string mnemonic = dir_.file("relayer.mnemonic");
  std::ofstream(mnemonic) << kMnemonic << "\n";
  ::chmod(mnemonic.c_str(), 0600);
  const char* saved = std::getenv("SNPRELAY_KEY_PASSPHRASE");
  const std::string restore = saved != nullptr ? saved : "";
  ::unsetenv("SNPRELAY_KEY_PASSPHRASE");
  const chain::keys::KeyStore store(dir_.file("keys"));
  auto r = import_key_from_mnemonic(store, "relayer", mnemonic, "", ProtectionMode::kPassphrase, {}, {});
  if (saved != nullptr)
    ::setenv("SNPRELAY_KEY_PASSPHRASE", restore.c_str(), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NO_PASSPHRASE");
  EXPECT_NE(r.error().message.find("SNPRELAY_KEY_PASSPHRASE"), std::string::npos);
}

}  // namespace
}  // namespace snprelay::app
