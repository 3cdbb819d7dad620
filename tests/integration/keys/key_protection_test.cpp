// Key protection end to end (issue #6): `snprelay keys add|protect|show` and `tx send --from` through
// the real binary, each command its own process, against this test's own swtpm (unix sockets in a
// temp dir, stopped by PID) and the simulated SNP firmware in a temp state directory.
//
// The proof that a key opened is a signature: `tx send --offline` with a stored key must print the
// very TxRaw that the same key signs from its mnemonic (RFC 6979 makes secp256k1 signatures
// deterministic), so a wrong or garbled key cannot pass. Every command's stdout and stderr, and every
// key file version, are checked for the private key, the mnemonic and the passphrases.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../../unit/temp_dir.hpp"
#include "../run_process.hpp"
#include "../swtpm_fixture.hpp"
#include "../tpm/esys_probe.hpp"
#include "chain/keys/account_key.hpp"
#include "common/hex.hpp"

namespace snprelay {
namespace {

using nlohmann::json;
using testing::ProcessResult;

constexpr const char* kMnemonic =
    "special sign fit simple patrol salute grocery chicken wheat radar tonight ceiling";
constexpr const char* kAddress = "cosmos1jhg0e7s6gn44tfc5k37kr04sznyhedtc9rzys5";
constexpr const char* kOther = "cosmos1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmmk8rs6";
constexpr const char* kPassphrase = "first passphrase: 4 words & more";
constexpr const char* kNewPassphrase = "second passphrase, longer still";
const std::string kOtherMeasurement(96, 'e');  // 48 bytes of 0xee

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class KeyProtection : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(swtpm_.start(), "");
    std::ofstream(dir_.file("mnemonic")) << kMnemonic << "\n";
    std::ofstream(dir_.file("pass")) << kPassphrase << "\n";
    std::ofstream(dir_.file("newpass")) << kNewPassphrase << "\n";
    for (const char* secret : {"mnemonic", "pass", "newpass"})  // secrets must be private (issue 21)
      ASSERT_EQ(::chmod(dir_.file(secret).c_str(), 0600), 0);
    // The simulated firmware's AMD-shaped roots: the look-alike keys, so no RSA-4096 key is minted here.
    std::filesystem::create_directories(dir_.file("sim"));
    const std::string lookalike = std::string(SNPRELAY_TEST_DATA) + "/snp/lookalike/";
    std::filesystem::copy_file(lookalike + "ark_key.pem", dir_.file("sim/ark.key"));
    std::filesystem::copy_file(lookalike + "ask_key.pem", dir_.file("sim/ask.key"));
    auto key = chain::keys::account_key_from_mnemonic(SecretBytes::from_string(kMnemonic), SecretBytes(),
                                                      "m/44'/118'/0'/0/0");
    ASSERT_TRUE(key.ok());
    private_hex_ = to_hex(key->private_key.view());
    expected_tx_ = send({"--mnemonic-file", dir_.file("mnemonic")});
    ASSERT_EQ(expected_tx_.exit_code, 0) << expected_tx_.err;
  }

  // Runs snprelay at the most verbose log level, and checks that nothing it printed holds a secret.
  ProcessResult run(std::vector<std::string> args) {
    const std::string what = args[0] + " " + args[1];
    args.insert(args.begin(), {SNPRELAY_BIN, "--log-level", "trace"});
    // No SNPRELAY_KEY_PASSPHRASE: every passphrase comes from a file named on the command line.
    auto r = testing::run_process(args, {{"SNPRELAY_KEY_PASSPHRASE", ""}, {"TSS2_LOG", "all+none"}});
    expect_no_secret(r.out + r.err, what);
    return r;
  }
  std::vector<std::string> keyring() const { return {"--keyring-dir", dir_.file("keys")}; }
  std::vector<std::string> tpm_flags() const { return {"--tcti", swtpm_.tcti(), "--pcrs", "16,23"}; }
  std::vector<std::string> sim_flags(const std::string& measurement = "") const {
    std::vector<std::string> f = {"--simulate", "--sim-state", dir_.file("sim")};
    if (!measurement.empty())
      f.insert(f.end(), {"--sim-measurement", measurement});
    return f;
  }
  // keys protect relayer --mode MODE ...
  ProcessResult protect(const std::string& mode, std::vector<std::string> extra) {
    std::vector<std::string> args = {"keys", "protect", "relayer", "--mode", mode, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto k = keyring();
    args.insert(args.end(), k.begin(), k.end());
    return run(args);
  }
  // An offline MsgSend signed by `signer` flags (--from relayer ... or --mnemonic-file F).
  ProcessResult send(std::vector<std::string> signer) {
    std::vector<std::string> args = {"tx",        "send",       "--offline", "--to",
                                     kOther,      "--amount",   "7ustake",   "--fees",
                                     "500ustake", "--chain-id", "snp-test",  "--account-number",
                                     "12",        "--sequence", "3"};
    args.insert(args.end(), signer.begin(), signer.end());
    return run(args);
  }
  std::vector<std::string> from(std::vector<std::string> extra) const {
    std::vector<std::string> f = {"--from", "relayer"};
    f.insert(f.end(), extra.begin(), extra.end());
    auto k = keyring();
    f.insert(f.end(), k.begin(), k.end());
    return f;
  }
  void expect_signs_like_the_mnemonic(std::vector<std::string> extra, const std::string& what) {
    auto r = send(from(std::move(extra)));
    ASSERT_EQ(r.exit_code, 0) << what << ": " << r.err;
    EXPECT_EQ(r.out, expected_tx_.out) << what;
  }
  std::string key_file() const { return dir_.file("keys/relayer.key"); }
  json key_doc() const { return json::parse(slurp(key_file())); }
  void expect_no_secret(const std::string& text, const std::string& where) {
    EXPECT_EQ(text.find(private_hex_), std::string::npos) << where;
    EXPECT_EQ(text.find("patrol salute"), std::string::npos) << where;
    EXPECT_EQ(text.find(kPassphrase), std::string::npos) << where;
    EXPECT_EQ(text.find(kNewPassphrase), std::string::npos) << where;
  }
  void add_with_passphrase() {
    std::vector<std::string> args = {"keys",
                                     "add",
                                     "relayer",
                                     "--recover",
                                     "--mnemonic-file",
                                     dir_.file("mnemonic"),
                                     "--passphrase-file",
                                     dir_.file("pass")};
    auto k = keyring();
    args.insert(args.end(), k.begin(), k.end());
    auto r = run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  testing::Swtpm swtpm_;
  testing::TempDir dir_;
  std::string private_hex_;
  ProcessResult expected_tx_;
};

TEST_F(KeyProtection, MovesThroughEveryModeAndSignsTheSameEachTime) {
  add_with_passphrase();
  expect_signs_like_the_mnemonic({"--passphrase-file", dir_.file("pass")}, "passphrase");

  auto to_tpm =
      protect("tpm", {"--passphrase-file", dir_.file("pass"), "--tcti", swtpm_.tcti(), "--pcrs", "16,23"});
  ASSERT_EQ(to_tpm.exit_code, 0) << to_tpm.err;
  auto j = json::parse(to_tpm.out);
  EXPECT_EQ(j["protection"], "tpm");
  EXPECT_EQ(j["previous_protection"], "passphrase");
  EXPECT_EQ(key_doc()["protection"]["mode"], "tpm");
  EXPECT_EQ(key_doc()["version"], 2);
  struct stat st {};
  ASSERT_EQ(::stat(key_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  expect_no_secret(slurp(key_file()), "tpm key file");
  expect_signs_like_the_mnemonic(tpm_flags(), "tpm");
  // The passphrase no longer opens it, and the error says how the key is protected.
  auto by_pass = send(from({"--passphrase-file", dir_.file("pass")}));
  EXPECT_NE(by_pass.exit_code, 0);
  auto show = run({"keys", "show", "relayer", "--keyring-dir", dir_.file("keys")});
  EXPECT_NE(show.out.find("protection: tpm"), std::string::npos) << show.out;

  auto to_snp =
      protect("snp-derived", {"--tcti", swtpm_.tcti(), "--simulate", "--sim-state", dir_.file("sim")});
  ASSERT_EQ(to_snp.exit_code, 0) << to_snp.err;
  EXPECT_NE(to_snp.err.find("SIMULATED"), std::string::npos) << to_snp.err;  // never passed off as hardware
  EXPECT_EQ(key_doc()["protection"]["mode"], "snp-derived");
  expect_no_secret(slurp(key_file()), "snp-derived key file");
  expect_signs_like_the_mnemonic(sim_flags(), "snp-derived");

  auto back = protect("passphrase", {"--passphrase-file", dir_.file("newpass"), "--simulate", "--sim-state",
                                     dir_.file("sim")});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  expect_signs_like_the_mnemonic({"--passphrase-file", dir_.file("newpass")}, "new passphrase");
  EXPECT_EQ(send(from({"--passphrase-file", dir_.file("pass")})).exit_code, 2);  // WRONG_PASSPHRASE

  // Changing a passphrase needs the old and the new one, named separately.
  auto same = protect("passphrase", {"--passphrase-file", dir_.file("newpass")});
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_NE(same.err.find("--new-passphrase-file"), std::string::npos) << same.err;
  auto changed = protect(
      "passphrase", {"--passphrase-file", dir_.file("newpass"), "--new-passphrase-file", dir_.file("pass")});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  expect_signs_like_the_mnemonic({"--passphrase-file", dir_.file("pass")}, "changed passphrase");
  // No temporary file is left beside the key.
  for (const auto& e : std::filesystem::directory_iterator(dir_.file("keys")))
    EXPECT_EQ(e.path().filename(), "relayer.key");
}

TEST_F(KeyProtection, TpmKeySurvivesRestartAndFailsClearlyWhenAPcrMoves) {
  auto add =
      run({"keys", "add", "relayer", "--recover", "--mnemonic-file", dir_.file("mnemonic"), "--protection",
           "tpm", "--tcti", swtpm_.tcti(), "--pcrs", "16,23", "--keyring-dir", dir_.file("keys")});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(key_doc()["protection"]["mode"], "tpm");
  ASSERT_EQ(swtpm_.restart(), "");  // a reboot: PCRs 16 and 23 come back to the sealed values
  expect_signs_like_the_mnemonic(tpm_flags(), "after restart");

  {
    testing::EsysProbe probe(swtpm_.tcti());
    ASSERT_TRUE(probe.ok());
    ASSERT_EQ(probe.extend(23), TSS2_RC_SUCCESS);
  }
  const std::string before = slurp(key_file());
  auto moved = send(from(tpm_flags()));
  EXPECT_EQ(moved.exit_code, 3);
  EXPECT_NE(moved.err.find("TPM_POLICY_MISMATCH"), std::string::npos) << moved.err;
  EXPECT_NE(moved.err.find("PCR policy mismatch"), std::string::npos) << moved.err;
  EXPECT_NE(moved.err.find("\"relayer\""), std::string::npos) << moved.err;
  EXPECT_TRUE(moved.out.empty()) << moved.out;
  // Nor can it be migrated away while the PCR is off, and the file is untouched.
  auto migrate = protect("passphrase", {"--tcti", swtpm_.tcti(), "--passphrase-file", dir_.file("pass")});
  EXPECT_EQ(migrate.exit_code, 3);
  EXPECT_EQ(slurp(key_file()), before);
  {
    testing::EsysProbe probe(swtpm_.tcti());
    ASSERT_TRUE(probe.ok());
    ASSERT_EQ(probe.reset(23), TSS2_RC_SUCCESS);
  }
  expect_signs_like_the_mnemonic(tpm_flags(), "after PCR reset");

  // Another TPM (other seeds) cannot load the blob at all.
  testing::Swtpm other;
  ASSERT_EQ(other.start(), "");
  auto foreign = send(from({"--tcti", other.tcti()}));
  EXPECT_NE(foreign.exit_code, 0);
  EXPECT_NE(foreign.err.find("TPM_BLOB_FOREIGN"), std::string::npos) << foreign.err;
}

TEST_F(KeyProtection, SnpDerivedKeyOpensOnlyWithTheSameMeasurementAndPolicy) {
  add_with_passphrase();
  auto to_snp = protect(
      "snp-derived", {"--passphrase-file", dir_.file("pass"), "--simulate", "--sim-state", dir_.file("sim")});
  ASSERT_EQ(to_snp.exit_code, 0) << to_snp.err;
  const std::string sealed = slurp(key_file());
  expect_signs_like_the_mnemonic(sim_flags(), "same measurement");

  // Another VM image (measurement) or another guest policy on the same chip derives another key.
  auto other_image = send(from(sim_flags(kOtherMeasurement)));
  EXPECT_EQ(other_image.exit_code, 3);
  EXPECT_NE(other_image.err.find("SNP_KEY_MISMATCH"), std::string::npos) << other_image.err;
  EXPECT_NE(other_image.err.find("measurement or policy"), std::string::npos) << other_image.err;
  EXPECT_TRUE(other_image.out.empty());
  auto other_policy = send(from({"--simulate", "--sim-state", dir_.file("sim"), "--sim-policy", "0x70000"}));
  EXPECT_EQ(other_policy.exit_code, 3);
  EXPECT_NE(other_policy.err.find("SNP_KEY_MISMATCH"), std::string::npos) << other_policy.err;
  // A failed attempt to move it from the wrong image changes nothing.
  auto migrate = protect("passphrase", {"--passphrase-file", dir_.file("pass"), "--simulate", "--sim-state",
                                        dir_.file("sim"), "--sim-measurement", kOtherMeasurement});
  EXPECT_EQ(migrate.exit_code, 3);
  EXPECT_EQ(slurp(key_file()), sealed);
  expect_signs_like_the_mnemonic(sim_flags(), "same measurement, again");

  // Binding the TCB too: a firmware rolled back below the sealed TCB cannot derive the key.
  auto with_tcb =
      protect("snp-derived", {"--simulate", "--sim-state", dir_.file("sim"), "--snp-fields",
                              "measurement,policy,tcb", "--sim-tcb", "bl=3,tee=0,snp=14,ucode=209"});
  ASSERT_EQ(with_tcb.exit_code, 0) << with_tcb.err;
  expect_signs_like_the_mnemonic(
      {"--simulate", "--sim-state", dir_.file("sim"), "--sim-tcb", "bl=3,tee=0,snp=14,ucode=209"},
      "same TCB");
  auto rolled_back =
      send(from({"--simulate", "--sim-state", dir_.file("sim"), "--sim-tcb", "bl=3,tee=0,snp=8,ucode=115"}));
  EXPECT_EQ(rolled_back.exit_code, 3);
  EXPECT_NE(rolled_back.err.find("FIRMWARE_ERROR"), std::string::npos) << rolled_back.err;

  // Measurement and policy cannot be left out: that key would open in any image.
  auto weak = protect("snp-derived", {"--simulate", "--sim-state", dir_.file("sim"), "--snp-fields", "tcb"});
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("--snp-fields"), std::string::npos) << weak.err;
}

TEST_F(KeyProtection, ConfigNamesTheModeAndAMismatchSaysHowToMigrate) {
  add_with_passphrase();
  const std::string config = dir_.file("relayer.toml");
  std::ofstream(config) << "[chain.key]\nname = \"relayer\"\nkeyring_dir = \"" << dir_.file("keys")
                        << "\"\nprotection = \"tpm\"\n\n[tpm]\ntcti = \"" << swtpm_.tcti()
                        << "\"\npcrs = [16, 23]\n";
  auto refused = send({"--from", "relayer", "--config", config, "--passphrase-file", dir_.file("pass")});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("KEY_PROTECTION_MISMATCH"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("snprelay keys protect relayer --config"), std::string::npos) << refused.err;

  // The suggested command: mode, TCTI, PCRs and key directory all come from the configuration.
  auto migrated =
      run({"keys", "protect", "relayer", "--config", config, "--passphrase-file", dir_.file("pass")});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  EXPECT_EQ(migrated.out, "relayer: passphrase -> tpm\n");
  auto signed_tx = send({"--from", "relayer", "--config", config});
  ASSERT_EQ(signed_tx.exit_code, 0) << signed_tx.err;
  EXPECT_EQ(signed_tx.out, expected_tx_.out);

  auto no_mode = run({"keys", "protect", "relayer", "--keyring-dir", dir_.file("keys")});
  EXPECT_EQ(no_mode.exit_code, 2);
  EXPECT_NE(no_mode.err.find("--mode"), std::string::npos) << no_mode.err;
  auto bad_mode = run({"keys", "protect", "relayer", "--mode", "xor", "--keyring-dir", dir_.file("keys")});
  EXPECT_EQ(bad_mode.exit_code, 2);
}

}  // namespace
}  // namespace snprelay
