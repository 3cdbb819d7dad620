#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/duration.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"

namespace snprelay::config {
namespace {

std::string read_data(const std::string& rel) {
  std::ifstream in(std::string(SNPRELAY_TEST_DATA) + "/" + rel);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end())
      return std::nullopt;
    return it->second;
  };
}

Result<Config> load(const std::string& text, std::map<std::string, std::string> env = {}) {
  return load_config_text(text, "test.toml", env_of(std::move(env)));
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return text.replace(pos, from.size(), to);
}

TEST(ConfigGuideFile, LoadsUnchangedWithItsValues) {
  auto c = load(read_data("config/guide-enclave.toml"));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->enclave.platform, Platform::kSevSnp);
  EXPECT_EQ(c->enclave.hardware_mode, HardwareMode::kRequire);
  EXPECT_EQ(c->enclave.sev_snp.endpoint, "unix:///var/run/veid-enclave.sock");
  EXPECT_EQ(c->enclave.sev_snp.kds_base_url, "https://kdsintf.amd.com/vcek/v1");
  EXPECT_EQ(c->enclave.sev_snp.kds_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->enclave.sev_snp.cert_cache_path, "/var/cache/virtengine/sev-certs");
  EXPECT_EQ(c->enclave.sev_snp.cert_cache_ttl, std::chrono::hours(24));
  EXPECT_EQ(c->enclave.sev_snp.product_name, attest::Product::kMilan);
  EXPECT_FALSE(c->enclave.sev_snp.allow_debug_policy);
  EXPECT_EQ(c->enclave.sev_snp.vcek_source, VcekSource::kAuto);
  EXPECT_TRUE(c->api.bearer_token_file.empty());
  EXPECT_EQ(c->enclave.sev_snp.min_tcb.bootloader, 2);
  EXPECT_EQ(c->enclave.sev_snp.min_tcb.tee, 0);
  EXPECT_EQ(c->enclave.sev_snp.min_tcb.snp, 8);
  EXPECT_EQ(c->enclave.sev_snp.min_tcb.microcode, 115);
  EXPECT_EQ(c->enclave.runtime.max_concurrent_requests, 100);
  EXPECT_EQ(c->enclave.runtime.request_timeout, std::chrono::seconds(5));
}

TEST(ConfigFullFile, EverySectionIsRead) {
  auto c = load(read_data("config/full.toml"));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->enclave.hardware_mode, HardwareMode::kSimulate);
  EXPECT_EQ(c->enclave.sev_snp.kds_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->enclave.sev_snp.cert_cache_ttl, std::chrono::minutes(90));
  EXPECT_EQ(c->enclave.sev_snp.product_name, attest::Product::kTurin);
  EXPECT_EQ(c->enclave.sev_snp.min_tcb.fmc, 1);
  EXPECT_EQ(c->enclave.sev_snp.vmpl, 1);
  EXPECT_EQ(c->chain.chain_id, "snpdev-1");
  EXPECT_EQ(c->chain.rpc_recheck_interval, std::chrono::seconds(45));
  ASSERT_EQ(c->chain.rpc.size(), 2u);
  EXPECT_EQ(c->chain.gas_adjustment, 1.5);
  EXPECT_EQ(c->chain.key.protection, KeyProtection::kTpm);
  EXPECT_EQ(c->chain.key.hd_path, "m/44'/118'/0'/0/1");
  EXPECT_EQ(c->relayer.operator_address, "snpvaloper1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn6j4npq");
  EXPECT_EQ(c->allowlist.threshold, 2);
  ASSERT_EQ(c->allowlist.signers.size(), 2u);
  EXPECT_EQ(c->allowlist.signers[0].key_id, "signer1");
  EXPECT_EQ(c->api.listen, "127.0.0.1:9090");
  EXPECT_EQ(c->api.bearer_token_file, "/etc/snprelay/api-token");
  EXPECT_EQ(c->enclave.sev_snp.vcek_source, VcekSource::kKds);  // any ASCII case
  EXPECT_EQ(c->tpm.pcrs, (std::vector<std::int64_t>{0, 7}));
  EXPECT_EQ(c->log.level, LogLevel::kDebug);
  EXPECT_EQ(c->log.format, LogFormatName::kJson);
}

TEST(ConfigDefaults, EmptyFileGivesSafeDefaults) {
  auto c = load("");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->enclave.hardware_mode, HardwareMode::kRequire);
  EXPECT_FALSE(c->enclave.sev_snp.allow_debug_policy);
  EXPECT_EQ(c->api.listen, "127.0.0.1:8080");  // loopback by default (DESIGN.md §8)
  EXPECT_EQ(c->tpm.tcti, "device:/dev/tpmrm0");
}

TEST(ConfigErrors, MisspelledKeyNamesFullPathLineAndSuggestion) {
  const auto text = replace(read_data("config/guide-enclave.toml"), "kds_timeout", "kds_timeut");
  auto c = load(text);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "UNKNOWN_KEY");
  EXPECT_NE(c.error().message.find("test.toml:9: unknown key enclave.sev_snp.kds_timeut"), std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find("did you mean enclave.sev_snp.kds_timeout?"), std::string::npos);
}

TEST(ConfigErrors, UnknownTableIsAnUnknownKey) {
  auto c = load("[enclave.sev_snpp]\nendpoint = \"\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "UNKNOWN_KEY");
  EXPECT_NE(c.error().message.find("unknown key enclave.sev_snpp"), std::string::npos) << c.error().message;
}

TEST(ConfigErrors, UnknownTopLevelKey) {
  auto c = load("\n\nfoo = 1\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "test.toml:3: unknown key foo");
}

TEST(ConfigErrors, KeyWhereTableBelongs) {
  auto c = load("enclave = 3\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "UNKNOWN_KEY");
}

TEST(ConfigErrors, OutOfRangeNamesKeyValueAndRange) {
  const auto text = replace(read_data("config/guide-enclave.toml"), "snp = 8", "snp = 300");
  auto c = load(text);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "OUT_OF_RANGE");
  EXPECT_EQ(c.error().message,
            "test.toml:18: enclave.sev_snp.min_tcb.snp = 300 is out of range (allowed: 0..255)");
}

TEST(ConfigErrors, NegativeIntegerIsOutOfRange) {
  auto c = load("[enclave.sev_snp]\nvmpl = -1\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "test.toml:2: enclave.sev_snp.vmpl = -1 is out of range (allowed: 0..3)");
}

TEST(ConfigErrors, WrongTypeNamesExpectedType) {
  auto c = load("[enclave.sev_snp.min_tcb]\nsnp = \"8\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "WRONG_TYPE");
  EXPECT_EQ(c.error().message,
            "test.toml:2: enclave.sev_snp.min_tcb.snp = \"8\" has the wrong type (expected an integer)");
}

TEST(ConfigErrors, BooleanAsStringIsWrongType) {
  auto c = load("[enclave.sev_snp]\nallow_debug_policy = \"false\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "WRONG_TYPE");
}

TEST(ConfigErrors, DurationAsIntegerIsWrongType) {
  auto c = load("[enclave.sev_snp]\nkds_timeout = 30\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "WRONG_TYPE");
  EXPECT_NE(c.error().message.find("a duration string such as \"30s\""), std::string::npos);
}

TEST(ConfigErrors, BadDurationText) {
  auto c = load("[enclave.sev_snp]\nkds_timeout = \"30 seconds\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "BAD_DURATION");
  EXPECT_NE(c.error().message.find("test.toml:2: enclave.sev_snp.kds_timeout"), std::string::npos);
}

TEST(ConfigErrors, DurationOutOfRange) {
  auto c = load("[enclave.sev_snp]\nkds_timeout = \"10m\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "test.toml:2: enclave.sev_snp.kds_timeout = \"10m\" is out of range (allowed: 100ms..5m)");
}

TEST(ConfigErrors, EnumChoicesListed) {
  auto c = load("[enclave]\nhardware_mode = \"maybe\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "BAD_VALUE");
  EXPECT_EQ(
      c.error().message,
      "test.toml:2: enclave.hardware_mode = \"maybe\" is not one of \"require\", \"auto\", \"simulate\"");
}

TEST(ConfigErrors, ProductNameIsChecked) {
  auto c = load("[enclave.sev_snp]\nproduct_name = \"Rome\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("\"Milan\", \"Genoa\", \"Turin\""), std::string::npos);
  // kUnknown's empty name is not a choice.
  EXPECT_FALSE(load("[enclave.sev_snp]\nproduct_name = \"\"\n").ok());
}

// One product rule everywhere (issue 11): the configuration accepts what attest::parse_product and the
// CLI's --product accept, in any case, and holds attest's own Product.
TEST(ConfigValues, ProductNameAnyCaseLikeTheCli) {
  auto c = load("[enclave.sev_snp]\nproduct_name = \"genoa\"\n");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->enclave.sev_snp.product_name, attest::Product::kGenoa);
  EXPECT_EQ(attest::parse_product("genoa"), attest::Product::kGenoa);
  auto mode = load("[enclave]\nhardware_mode = \"Simulate\"\n");
  ASSERT_TRUE(mode.ok()) << mode.error().to_string();
  EXPECT_EQ(mode->enclave.hardware_mode, HardwareMode::kSimulate);
}

TEST(ConfigErrors, FloatRange) {
  auto c = load("[chain]\ngas_adjustment = 0.5\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "test.toml:2: chain.gas_adjustment = 0.5 is out of range (allowed: 1..10)");
}

TEST(ConfigErrors, UrlFormat) {
  auto c = load("[enclave.sev_snp]\nkds_base_url = \"ftp://kds\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "BAD_VALUE");
  EXPECT_NE(c.error().message.find("http:// or https://"), std::string::npos);
}

TEST(ConfigErrors, EmptyRpcListRefused) {
  auto c = load("[chain]\nrpc = []\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "OUT_OF_RANGE");
  EXPECT_NE(c.error().message.find("chain.rpc has 0 entries"), std::string::npos);
}

TEST(ConfigErrors, EndpointMustBeUnixUrl) {
  auto c = load("[enclave.sev_snp]\nendpoint = \"/var/run/x.sock\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("unix:///path/to/socket"), std::string::npos);
}

TEST(ConfigErrors, ListenNeedsPort) {
  auto c = load("[api]\nlisten = \"127.0.0.1\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("host:port"), std::string::npos);
  auto c2 = load("[api]\nlisten = \"127.0.0.1:70000\"\n");
  ASSERT_FALSE(c2.ok());
}

TEST(ConfigErrors, PcrOutOfRange) {
  auto c = load("[tpm]\npcrs = [0, 24]\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "test.toml:2: tpm.pcrs element 24 is out of range (allowed: 0..23)");
}

TEST(ConfigErrors, InvalidTomlHasLineAndColumn) {
  auto c = load("[enclave]\nplatform = \n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "PARSE_ERROR");
  EXPECT_EQ(c.error().message.rfind("test.toml:2:", 0), 0u) << c.error().message;
}

TEST(ConfigErrors, DuplicateKeyIsAParseError) {
  auto c = load("[api]\nlisten = \"127.0.0.1:1\"\nlisten = \"127.0.0.1:2\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "PARSE_ERROR");
}

TEST(ConfigErrors, AllProblemsReportedTogether) {
  auto c = load("[enclave]\nhardware_mod = \"auto\"\n[enclave.sev_snp.min_tcb]\nsnp = 256\ntee = -3\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "UNKNOWN_KEY");  // the first problem's code
  const auto& m = c.error().message;
  EXPECT_NE(m.find("test.toml:2: unknown key enclave.hardware_mod"), std::string::npos) << m;
  EXPECT_NE(m.find("test.toml:4: enclave.sev_snp.min_tcb.snp = 256"), std::string::npos) << m;
  EXPECT_NE(m.find("test.toml:5: enclave.sev_snp.min_tcb.tee = -3"), std::string::npos) << m;
}

TEST(ConfigRules, DebugPolicyRefusedInRequireMode) {
  const auto text = replace(read_data("config/guide-enclave.toml"), "allow_debug_policy = false",
                            "allow_debug_policy = true");
  auto c = load(text);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "CONFLICT");
  EXPECT_NE(c.error().message.find("hardware_mode = \"require\""), std::string::npos);
  EXPECT_NE(c.error().message.find("debug guest"), std::string::npos);
}

TEST(ConfigRules, DebugPolicyAllowedWhenSimulating) {
  auto c = load("[enclave]\nhardware_mode = \"simulate\"\n[enclave.sev_snp]\nallow_debug_policy = true\n");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_TRUE(c->enclave.sev_snp.allow_debug_policy);
}

TEST(ConfigRules, DebugPolicyViaEnvironmentAlsoRefused) {
  auto c = load("", {{"SNPRELAY_ENCLAVE_SEV_SNP_ALLOW_DEBUG_POLICY", "true"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "CONFLICT");
}

constexpr const char* kPubkey1 = "02b3d1a3a48f0e8a1e3b2a3f0a58b4b6c9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3";
constexpr const char* kPubkey2 = "03a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

TEST(ConfigRules, ThresholdAboveKeyCountRefused) {
  auto c = load(std::string("[allowlist]\nthreshold = 2\n[allowlist.signers]\ns1 = \"") + kPubkey1 + "\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "CONFLICT");
  EXPECT_NE(c.error().message.find("allowlist.signers"), std::string::npos) << c.error().message;
}

// Issue 12: the pinned signer set is a table key id -> 33-byte compressed pubkey, sorted by key id.
TEST(ConfigAllowlist, SignersTableLoadsSortedByKeyIdAndRoundTrips) {
  auto c = load(std::string("[allowlist]\nthreshold = 2\n[allowlist.signers]\nsigner2 = \"") + kPubkey2 +
                "\"\n\"signer 1\" = \"" + kPubkey1 + "\"\n");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ASSERT_EQ(c->allowlist.signers.size(), 2u);
  EXPECT_EQ(c->allowlist.signers[0], (AllowlistSigner{"signer 1", kPubkey1}));
  EXPECT_EQ(c->allowlist.signers[1], (AllowlistSigner{"signer2", kPubkey2}));
  auto again = load(effective_config_toml(*c));
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->allowlist.signers, c->allowlist.signers);
  const auto json = nlohmann::json::parse(effective_config_json(*c));
  EXPECT_EQ(json["allowlist"]["signers"]["signer2"], kPubkey2);
}

TEST(ConfigAllowlist, BadSignersAreRefusedNamingTheKeyAndLine) {
  struct Case {
    std::string toml;
    const char* code;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"[allowlist.signers]\ns1 = \"02zz\"\n", "BAD_VALUE", "66 hex digits"},
      {"[allowlist.signers]\ns1 = \"" + std::string(kPubkey1).substr(0, 64) + "\"\n", "BAD_VALUE",
       "got 64 characters"},
      {"[allowlist.signers]\ns1 = \"04" + std::string(kPubkey1).substr(2) + "\"\n", "BAD_VALUE", "02 or 03"},
      {"[allowlist.signers]\ns1 = 2\n", "WRONG_TYPE", "allowlist.signers.\"s1\""},
      {"[allowlist]\nsigners = [\"02ab\"]\n", "WRONG_TYPE", "expected a table"},
      {"[allowlist]\ngovernance_keys = [\"02ab\"]\n", "REPLACED_KEY", "[allowlist.signers]"},
  };
  for (const auto& k : cases) {
    auto c = load(k.toml);
    ASSERT_FALSE(c.ok()) << k.toml;
    EXPECT_EQ(c.error().code, k.code) << k.toml;
    EXPECT_NE(c.error().message.find(k.says), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("test.toml:"), std::string::npos) << c.error().message;
  }
}

// Issue 11: a threshold with no governance keys at all could never be met and was accepted.
TEST(ConfigRules, ThresholdWithNoKeysRefused) {
  auto c = load("[allowlist]\nthreshold = 3\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "CONFLICT");
  EXPECT_TRUE(load("[allowlist]\nthreshold = 1\n").ok());  // the default, with no allowlist in use
}

// Issue 11: values that cannot work were accepted and failed later (or escaped the key store).
// Each is refused at load time with file:line and the key.
TEST(ConfigErrors, ValuesThatCannotWorkAreRefusedWithFileAndLine) {
  struct Case {
    const char* toml;
    const char* key;
    const char* why;
  };
  const Case cases[] = {
      {"[chain.key]\nname = \"../../etc/x\"\n", "chain.key.name", "must not start with '.'"},
      {"[chain.key]\nname = \"r/../../etc/x\"\n", "chain.key.name", "contains '/'"},
      {"[chain.key]\nname = \".hidden\"\n", "chain.key.name", "must not start with '.'"},
      {"[chain.key]\nhd_path = \"garbage\"\n", "chain.key.hd_path", "must start with m/"},
      {"[chain.key]\nhd_path = \"m/44'/118'/x/0/0\"\n", "chain.key.hd_path", "component 3"},
      {"[chain.key]\nhd_path = \"m/2147483648\"\n", "chain.key.hd_path", "not below 2^31"},
      {"[chain]\ngas_price = \"cheap\"\n", "chain.gas_price", "must start with an amount"},
      {"[chain]\ngas_price = \"0.025\"\n", "chain.gas_price", "needs a denom"},
      {"[chain]\ngas_price = \"0.0.25ustake\"\n", "chain.gas_price", "must start with a letter"},
      {"[chain]\nbech32_prefix = \"Cosmos\"\n", "chain.bech32_prefix", "must be lower case"},
      {"[chain]\nbech32_prefix = \"cos mos\"\n", "chain.bech32_prefix", "contains ' '"},
      {"[chain]\nfee_granter = \"COSMOS1JHG0E7S6GN44TFC5K37KR04SZNYHEDTC9RZYS5\"\n", "chain.fee_granter",
       "must be lower case"},
      {"[relayer]\noperator = \"cosmosvaloper1Abc\"\n", "relayer.operator", "must be lower case"},
      {"[relayer]\noperator = \"not-an-address\"\n", "relayer.operator", "not a bech32 address"},
      {"[tpm]\npcrs = []\n", "tpm.pcrs", "at least one"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.toml);
    auto r = load(c.toml);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kInput);
    const std::string& m = r.error().message;
    EXPECT_TRUE(m.starts_with("test.toml:2: ")) << m;
    EXPECT_NE(m.find(c.key), std::string::npos) << m;
    EXPECT_NE(m.find(c.why), std::string::npos) << m;
  }
  // The same values given in the usual shapes load.
  auto ok = load(
      "[chain]\nbech32_prefix = \"snp\"\ngas_price = \"0.025ibc/27394FB092D2ECCD\"\n"
      "fee_granter = \"cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5\"\n[chain.key]\nname = "
      "\"relayer-1.a_b\"\n"
      "hd_path = \"m/44'/118'/0'/0/0\"\n[tpm]\npcrs = [7]\n");
  EXPECT_TRUE(ok.ok()) << ok.error().to_string();
}

// Issue 11: a mistyped SNPRELAY_* override was silently ignored.
TEST(ConfigEnv, UnknownSnprelayVariableWarnsNamingTheClosestKnownOne) {
  const auto lines =
      unknown_env_warnings({"SNPRELAY_CHAIN_GAS_PRICES", "PATH", "SNPRELAY_KEYRING_DIR",
                            "SNPRELAY_ENCLAVE_SEV_SNP_KDS_TIMEOUT", "SNPRELAY_ZZZZZZZZZZZZZZZZZZZ"});
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0],
            "unknown environment variable SNPRELAY_CHAIN_GAS_PRICES is ignored (did you mean "
            "SNPRELAY_CHAIN_GAS_PRICE?)");
  EXPECT_EQ(lines[1], "unknown environment variable SNPRELAY_ZZZZZZZZZZZZZZZZZZZ is ignored");
}

// Issue 11: `config check DIR` and `--config DIR` said "valid" and used the defaults.
TEST(ConfigFile, DirectoryIsAnInputErrorNotAnEmptyConfig) {
  auto r = load_config_file(SNPRELAY_TEST_DATA, no_env());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInput);
  EXPECT_NE(r.error().message.find("is a directory"), std::string::npos) << r.error().message;
  auto z = load_config_file("/dev/zero", no_env());
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.error().message.find("character device"), std::string::npos) << z.error().message;
}

TEST(ConfigRules, FmcOnlyForTurin) {
  auto c = load("[enclave.sev_snp.min_tcb]\nfmc = 1\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "CONFLICT");
}

TEST(ConfigEnv, OverridesFileValues) {
  auto c = load(read_data("config/guide-enclave.toml"), {{"SNPRELAY_ENCLAVE_SEV_SNP_KDS_TIMEOUT", "45s"},
                                                         {"SNPRELAY_ENCLAVE_SEV_SNP_MIN_TCB_SNP", "9"},
                                                         {"SNPRELAY_CHAIN_RPC", "http://a:1, http://b:2"},
                                                         {"SNPRELAY_TPM_PCRS", "0,1,7,8"},
                                                         {"SNPRELAY_LOG_LEVEL", "debug"},
                                                         {"SNPRELAY_CHAIN_GAS_ADJUSTMENT", "1.25"}});
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->enclave.sev_snp.kds_timeout, std::chrono::seconds(45));
  EXPECT_EQ(c->enclave.sev_snp.min_tcb.snp, 9);
  EXPECT_EQ(c->chain.rpc, (std::vector<std::string>{"http://a:1", "http://b:2"}));
  EXPECT_EQ(c->tpm.pcrs, (std::vector<std::int64_t>{0, 1, 7, 8}));
  EXPECT_EQ(c->log.level, LogLevel::kDebug);
  EXPECT_EQ(c->chain.gas_adjustment, 1.25);
}

TEST(ConfigEnv, BadOverrideNamesTheVariable) {
  auto c = load("", {{"SNPRELAY_ENCLAVE_SEV_SNP_MIN_TCB_SNP", "300"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(
      c.error().message,
      "environment SNPRELAY_ENCLAVE_SEV_SNP_MIN_TCB_SNP: enclave.sev_snp.min_tcb.snp = 300 is out of range "
      "(allowed: 0..255)");
  auto c2 = load("", {{"SNPRELAY_API_MAX_BODY_BYTES", "12kb"}});
  ASSERT_FALSE(c2.ok());
  EXPECT_EQ(c2.error().code, "WRONG_TYPE");
  auto c3 = load("", {{"SNPRELAY_ENCLAVE_SEV_SNP_ALLOW_DEBUG_POLICY", "yes"}});
  ASSERT_FALSE(c3.ok());
  EXPECT_EQ(c3.error().code, "WRONG_TYPE");
}

TEST(ConfigEnv, NameFollowsSectionAndKey) {
  EXPECT_EQ(env_name(*find_key("enclave.sev_snp.kds_timeout")), "SNPRELAY_ENCLAVE_SEV_SNP_KDS_TIMEOUT");
  EXPECT_EQ(env_name(*find_key("log.level")), "SNPRELAY_LOG_LEVEL");
  EXPECT_EQ(env_name(*find_key("relayer.operator")), "SNPRELAY_RELAYER_OPERATOR");
}

TEST(ConfigOutput, EffectiveTomlReloadsToTheSameConfig) {
  auto c = load(read_data("config/full.toml"));
  ASSERT_TRUE(c.ok());
  // Passwords are redacted, so compare after removing the one URL that carries one.
  Config expected = *c;
  expected.chain.rpc.pop_back();
  auto again = load(effective_config_toml(expected));
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(effective_config_toml(*again), effective_config_toml(expected));
}

TEST(ConfigOutput, SecretsInUrlsAreRedacted) {
  auto c = load(read_data("config/full.toml"));
  ASSERT_TRUE(c.ok());
  const auto toml = effective_config_toml(*c);
  EXPECT_EQ(toml.find("s3cret"), std::string::npos);
  EXPECT_NE(toml.find("https://relayer:<redacted>@rpc.example.org:443"), std::string::npos);
  const auto json = nlohmann::json::parse(effective_config_json(*c));
  EXPECT_EQ(json["chain"]["rpc"][1], "https://relayer:<redacted>@rpc.example.org:443");
  EXPECT_EQ(json["enclave"]["sev_snp"]["min_tcb"]["microcode"], 9);
  EXPECT_EQ(json["enclave"]["sev_snp"]["cert_cache_ttl"], "90m");
}

TEST(RedactUrl, Forms) {
  EXPECT_EQ(redact_url("http://h:1/p"), "http://h:1/p");
  EXPECT_EQ(redact_url("http://u@h:1/p"), "http://u@h:1/p");
  EXPECT_EQ(redact_url("http://u:p@h:1/p@x"), "http://u:<redacted>@h:1/p@x");
}

TEST(Duration, ParsesUnitsAndSums) {
  EXPECT_EQ(*parse_duration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(*parse_duration("30s"), std::chrono::seconds(30));
  EXPECT_EQ(*parse_duration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(*parse_duration("24h"), std::chrono::hours(24));
  EXPECT_EQ(*parse_duration("1h30m15s"), std::chrono::seconds(5415));
  EXPECT_EQ(*parse_duration("0s"), std::chrono::seconds(0));
}

TEST(Duration, RejectsMalformed) {
  for (const char* bad : {"", "30", "s", "-1s", "1.5s", "30 s", "5d", "1h30", "99999999999999999999h"}) {
    auto d = parse_duration(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.error().code, "BAD_DURATION");
    }
  }
}

TEST(Duration, FormatsExactLargestUnit) {
  EXPECT_EQ(format_duration(std::chrono::hours(24)), "24h");
  EXPECT_EQ(format_duration(std::chrono::seconds(90)), "90s");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(0)), "0s");
}

}  // namespace
}  // namespace snprelay::config
