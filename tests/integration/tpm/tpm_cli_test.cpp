// `snprelay tpm ...` end to end: every command is its own process against this test's swtpm, so a
// seal -> unseal round trip crosses processes (and a swtpm restart). Exit codes and messages are a
// contract. The binary is SNPRELAY_TPM_CLI: the real snprelay once the commands are registered,
// else the test harness built from the same tpm_commands.cpp.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../../unit/temp_dir.hpp"
#include "../run_process.hpp"
#include "../swtpm_fixture.hpp"
#include "common/hex.hpp"
#include "esys_probe.hpp"

namespace snprelay {
namespace {

using testing::ProcessResult;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Written 0600: `tpm seal --in` refuses a secret file other users may read (issue 21).
void spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
  ::chmod(path.c_str(), 0600);
}

// Hex of every TSS2 trace hexdump line ("0010: 00094000...  ascii"), concatenated.
std::string traced_hex(const std::string& log) {
  std::string hex;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > 6 && line[4] == ':' && line[5] == ' ' &&
        line.find_first_not_of("0123456789abcdef") == 4) {
      const auto end = line.find(' ', 6);
      hex += line.substr(6, end == std::string::npos ? std::string::npos : end - 6);
    }
  }
  return hex;
}

class TpmCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(swtpm_.start(), ""); }

  ProcessResult run(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), SNPRELAY_TPM_CLI);
    return testing::run_process(args, env);
  }
  ProcessResult tpm(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), "tpm");
    if (args[1] != "verify-quote") {
      args.push_back("--tcti");
      args.push_back(swtpm_.tcti());
    }
    return run(args, env);
  }

  testing::Swtpm swtpm_;
  testing::TempDir dir_;
  // Binary-looking secret with a recognisable hex form.
  const std::string secret_ =
      std::string("\x9b\x31\xe2\x07\xc4\x5a\x18\xf6\x6d\x83\x2f\xb0\x41\xde\x77\x0c", 16) +
      "snprelay-secret!";
};

TEST_F(TpmCliTest, SealInOneProcessUnsealInAnotherAndAfterRestart) {
  spit(dir_.file("secret"), secret_);
  auto seal = tpm({"seal", "--in", dir_.file("secret"), "--out", dir_.file("blob"), "--pcrs", "0,7"});
  ASSERT_EQ(seal.exit_code, 0) << seal.err;
  EXPECT_NE(seal.out.find("sealed 32 bytes to sha256:0,7"), std::string::npos) << seal.out;

  auto unseal = tpm({"unseal", "--in", dir_.file("blob"), "--out", dir_.file("back")});
  ASSERT_EQ(unseal.exit_code, 0) << unseal.err;
  EXPECT_EQ(slurp(dir_.file("back")), secret_);
  struct stat st {};
  ASSERT_EQ(::stat(dir_.file("back").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_EQ(swtpm_.restart(), "");
  auto to_stdout = tpm({"unseal", "--in", dir_.file("blob")});  // stdout is a file, not a terminal
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.out, secret_);
}

TEST_F(TpmCliTest, PcrExtendGivesPolicyMismatchExit3) {
  spit(dir_.file("secret"), secret_);
  ASSERT_EQ(tpm({"seal", "--in", dir_.file("secret"), "--out", dir_.file("blob"), "--pcrs", "23"}).exit_code,
            0);
  {
    testing::EsysProbe probe(swtpm_.tcti());
    ASSERT_TRUE(probe.ok());
    ASSERT_EQ(probe.extend(23), TSS2_RC_SUCCESS);
  }
  auto r = tpm({"unseal", "--in", dir_.file("blob"), "--out", dir_.file("back")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("tpm TPM_POLICY_MISMATCH"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("PCR policy mismatch"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("ERROR:esys"), std::string::npos) << "TSS2 library noise not silenced: " << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("back")));
}

TEST_F(TpmCliTest, InputErrorsExit2AndUnreachableExit3) {
  spit(dir_.file("secret"), secret_);
  auto bad_pcrs = tpm({"seal", "--in", dir_.file("secret"), "--out", dir_.file("blob"), "--pcrs", "0,24"});
  EXPECT_EQ(bad_pcrs.exit_code, 2);
  EXPECT_NE(bad_pcrs.err.find("BAD_PCRS"), std::string::npos) << bad_pcrs.err;

  spit(dir_.file("big"), std::string(129, 'x'));
  auto big = tpm({"seal", "--in", dir_.file("big"), "--out", dir_.file("blob")});
  EXPECT_EQ(big.exit_code, 2);
  EXPECT_NE(big.err.find("BAD_SECRET"), std::string::npos) << big.err;

  spit(dir_.file("junk"), "not a blob");
  auto junk = tpm({"unseal", "--in", dir_.file("junk")});
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_NE(junk.err.find("BAD_BLOB"), std::string::npos) << junk.err;

  auto missing = tpm({"unseal", "--in", dir_.file("nope")});
  EXPECT_EQ(missing.exit_code, 2);

  testing::Swtpm nothing_listening;
  auto down = run({"tpm", "seal", "--in", dir_.file("secret"), "--out", dir_.file("blob"), "--tcti",
                   nothing_listening.tcti()});
  EXPECT_EQ(down.exit_code, 3);
  EXPECT_NE(down.err.find("TPM_UNREACHABLE"), std::string::npos) << down.err;

  auto usage = run({"tpm", "seal", "--in", dir_.file("secret")});  // --out missing
  EXPECT_EQ(usage.exit_code, 2);
}

TEST_F(TpmCliTest, BlobFromAnotherSwtpmExit2) {
  testing::Swtpm other;
  ASSERT_EQ(other.start(), "");
  spit(dir_.file("secret"), secret_);
  auto seal =
      run({"tpm", "seal", "--in", dir_.file("secret"), "--out", dir_.file("blob"), "--tcti", other.tcti()});
  ASSERT_EQ(seal.exit_code, 0) << seal.err;
  auto r = tpm({"unseal", "--in", dir_.file("blob")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("TPM_BLOB_FOREIGN"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(TpmCliTest, TcctiComesFromConfigFile) {
  spit(dir_.file("secret"), secret_);
  spit(dir_.file("snprelay.toml"), "[tpm]\ntcti = \"" + swtpm_.tcti() + "\"\npcrs = [16]\n");
  auto seal = run({"tpm", "seal", "--in", dir_.file("secret"), "--out", dir_.file("blob"), "--config",
                   dir_.file("snprelay.toml")});
  ASSERT_EQ(seal.exit_code, 0) << seal.err;
  EXPECT_NE(seal.out.find("sha256:16 "), std::string::npos) << seal.out;
  spit(dir_.file("bad.toml"), "[tpm]\ntctii = 1\n");
  auto bad = run({"tpm", "seal", "--in", dir_.file("secret"), "--out", dir_.file("blob"), "--config",
                  dir_.file("bad.toml")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("UNKNOWN_KEY"), std::string::npos) << bad.err;
}

TEST_F(TpmCliTest, SecretNeverCrossesTheTctiInClearNorReachesLogs) {
  spit(dir_.file("secret"), secret_);
  const std::map<std::string, std::string> trace = {{"TSS2_LOG", "all+trace"}};
  auto seal = tpm({"seal", "--in", dir_.file("secret"), "--out", dir_.file("blob"), "--pcrs", "0"}, trace);
  ASSERT_EQ(seal.exit_code, 0) << seal.err.substr(0, 2000);
  auto unseal = tpm({"unseal", "--in", dir_.file("blob"), "--out", dir_.file("back")}, trace);
  ASSERT_EQ(unseal.exit_code, 0) << unseal.err.substr(0, 2000);
  ASSERT_EQ(slurp(dir_.file("back")), secret_);

  const std::string secret_hex = to_hex(std::span(reinterpret_cast<const std::uint8_t*>(secret_.data()), 16));
  const std::string wire_seal = traced_hex(seal.err);
  const std::string wire_unseal = traced_hex(unseal.err);
  // The trace really shows the TCTI buffers: the blob's bytes are visible in the unseal's Load.
  const std::string blob = slurp(dir_.file("blob"));
  const std::string blob_hex = to_hex(std::span(reinterpret_cast<const std::uint8_t*>(blob.data()) + 16, 24));
  ASSERT_NE(wire_unseal.find(blob_hex), std::string::npos) << "trace capture broken";
  // ...but never the secret, neither in the command (seal) nor in the response (unseal).
  EXPECT_EQ(wire_seal.find(secret_hex), std::string::npos) << "secret crossed the TCTI in clear (seal)";
  EXPECT_EQ(wire_unseal.find(secret_hex), std::string::npos) << "secret crossed the TCTI in clear (unseal)";
  for (const auto* out : {&seal.out, &seal.err, &unseal.out, &unseal.err}) {
    EXPECT_EQ(out->find("snprelay-secret!"), std::string::npos);
    EXPECT_EQ(out->find(secret_hex), std::string::npos);
  }
}

TEST_F(TpmCliTest, QuoteVerifiesAndWrongReportOrTamperingDoesNot) {
  spit(dir_.file("report.bin"), std::string(1184, '\x42'));
  auto q = tpm({"quote", "--report", dir_.file("report.bin"), "--out", dir_.file("q"), "--pcrs", "0,1,7",
                "--ak-pub-out", dir_.file("ak.pem")});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  auto ok = tpm({"verify-quote", "--quote", dir_.file("q"), "--report", dir_.file("report.bin"), "--ak-pub",
                 dir_.file("ak.pem"), "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  const auto j = nlohmann::json::parse(ok.out);
  EXPECT_TRUE(j["valid"].get<bool>());
  EXPECT_EQ(j["pcrs_sha256"].size(), 3u);

  spit(dir_.file("other.bin"), std::string(1184, '\x43'));
  auto wrong = tpm({"verify-quote", "--quote", dir_.file("q"), "--report", dir_.file("other.bin"), "--ak-pub",
                    dir_.file("ak.pem"), "--json"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.err;
  const auto jw = nlohmann::json::parse(wrong.out);
  EXPECT_FALSE(jw["valid"].get<bool>());
  EXPECT_EQ(jw["failures"][0]["code"], "NONCE_MISMATCH");

  std::string quote = slurp(dir_.file("q"));
  quote[8 + 40] ^= 0x01;  // a byte inside the signed attestation data (after the 8-byte header)
  spit(dir_.file("q2"), quote);
  auto tampered = tpm({"verify-quote", "--quote", dir_.file("q2"), "--report", dir_.file("report.bin"),
                       "--ak-pub", dir_.file("ak.pem")});
  EXPECT_EQ(tampered.exit_code, 1) << tampered.err;
  EXPECT_NE(tampered.out.find("quote INVALID"), std::string::npos) << tampered.out;

  spit(dir_.file("bad.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  auto bad_key = tpm({"verify-quote", "--quote", dir_.file("q"), "--report", dir_.file("report.bin"),
                      "--ak-pub", dir_.file("bad.pem")});
  EXPECT_EQ(bad_key.exit_code, 2);
  EXPECT_NE(bad_key.err.find("BAD_AK_KEY"), std::string::npos) << bad_key.err;
}

}  // namespace
}  // namespace snprelay
