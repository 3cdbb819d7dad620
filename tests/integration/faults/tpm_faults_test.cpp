// Fault matrix, the vTPM that seals the relayer's account key ([chain.key] protection = "tpm", the key
// sealed to PCRs 16 and 23 of this test's own swtpm, tests/integration/swtpm_fixture.hpp, with the real
// CLI: `snprelay keys protect relayer --config` from the passphrase-protected key relayer_setup writes).
// The daemon unseals the key once, at start, and signs from memory afterwards. So:
//   (a) swtpm is killed (SIGKILL, by its PID) while the daemon runs: the next epochs must keep landing
//       and /health/enclave is read;
//   (b) the daemon is restarted while the TPM is gone: the start is refused with an error naming the
//       TCTI, a non-zero exit, and the key file left byte-identical (nothing re-sealed or rewritten);
//   (c) swtpm comes back on the same state directory (same seeds; PCRs 16 and 23 reset to the values
//       the key is sealed to): the daemon starts and the next epoch lands. Recovery is measured from
//       the TPM's return to that epoch committed; epochs missed are those between the last epoch
//       committed before the restart and that one.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/faults/fault_case.hpp"
#include "tests/integration/swtpm_fixture.hpp"

namespace snprelay::testing {
namespace {

using std::chrono::seconds;

class TpmFaults : public FaultCase {
 protected:
  void SetUp() override {
    FaultCase::SetUp();
    if (HasFatalFailure())
      return;
    ASSERT_EQ(swtpm_.start(), "");
  }

  // The relayer home with the account key sealed to swtpm_ (see the file comment).
  void configure_sealed() {
    RelayerOptions options;
    options.sections = "[tpm]\ntcti = \"" + swtpm_.tcti() + "\"\npcrs = [16, 23]\n";
    configure({node()}, options);
    edit_config("protection = \"passphrase\"", "protection = \"tpm\"");
    if (HasFailure())
      return;
    auto sealed = snprelay({"keys", "protect", "relayer", "--config", setup_.config}, setup_.keyring);
    ASSERT_EQ(sealed.exit_code, 0) << sealed.out << sealed.err;
    ASSERT_NE(file_text(key_file()).find("\"tpm\""), std::string::npos) << file_text(key_file());
  }
  [[nodiscard]] std::string key_file() const { return setup_.keyring + "/relayer.key"; }

  // The HTTP status of GET /health/enclave ("000" when the daemon does not answer).
  [[nodiscard]] std::string health_status() const {
    return curl({"-o", "/dev/null", "-w", "%{http_code}", setup_.api("/health/enclave")}).out;
  }

  Swtpm swtpm_;
};

TEST_F(TpmFaults, TpmGoneWhileRunningThenAtRestartThenBack) {
  configure_sealed();
  ASSERT_FALSE(HasFailure());
  const std::uint64_t epoch = fresh_epoch();
  start();
  const std::uint64_t first = committed_above(epoch - 1, seconds(30));
  ASSERT_GT(first, 0u) << "the daemon with a TPM-sealed key did not commit\n" << logs();

  // (a) The TPM disappears under the running daemon.
  const pid_t tpm_pid = swtpm_.pid();
  ASSERT_GT(tpm_pid, 0);
  ASSERT_EQ(::kill(tpm_pid, SIGKILL), 0);
  swtpm_.stop();  // reaps the killed child
  const std::uint64_t next = committed_above(first, seconds(20));
  EXPECT_EQ(next, first + 1) << "the key in memory stopped signing when the TPM went away\n" << logs();
  const std::uint64_t after = next > 0 ? committed_above(next, seconds(20)) : 0;
  EXPECT_EQ(after, next + 1) << logs();
  // Health says so within one probe interval (10 s), so the operator learns before a restart fails.
  std::string reason;
  const auto killed = Clock::now();
  while (reason.empty() && Clock::now() < killed + seconds(20)) {
    for (const auto& r :
         api_json(setup_.api("/health/enclave")).value("degraded_reasons", nlohmann::json::array()))
      if (r.is_string() && r.get<std::string>().find("TPM_UNREACHABLE") != std::string::npos)
        reason = r.get<std::string>();
    if (reason.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_FALSE(reason.empty()) << "health does not say the TPM is gone\n" << logs();
  EXPECT_NE(curl({setup_.api("/metrics")}).out.find("snprelay_tpm_unreachable 1"), std::string::npos);
  const std::string health = health_status();
  EXPECT_FALSE(daemon_->exited()) << logs();
  report("TPM gone while the daemon runs (swtpm SIGKILLed; the account key is sealed to it)",
         "keeps running: the key was unsealed at start and signs from memory; the next 2 epochs land; within "
         "one probe (10 s) /health/enclave (HTTP " +
             health +
             ") turns degraded: \"tpm TPM_UNREACHABLE ... (the key is unsealed in memory; a restart cannot "
             "unseal it)\" and snprelay_tpm_unreachable is 1",
         "nothing", 0, after > first ? epochs_missed(first, after) : 0);

  // (b) The daemon restarts while the TPM is still gone.
  const std::uint64_t last = std::max({first, next, after});
  ASSERT_EQ(daemon_->stop(), 0) << logs();
  const std::string key_before = file_text(key_file());
  ASSERT_FALSE(key_before.empty());
  start();
  const int status = daemon_->wait_exit(seconds(20));
  const std::string log = daemon_->log();
  ASSERT_GE(status, 0) << "the daemon runs without its TPM\n" << logs();
  EXPECT_NE(status, 0);
  EXPECT_NE(log.find(swtpm_.socket_path()), std::string::npos) << "the error does not name the TCTI:\n"
                                                               << log;
  EXPECT_EQ(file_text(key_file()), key_before) << "the key file was modified";
  EXPECT_EQ(committed_above(last, seconds(0)), 0u) << "an epoch landed without the key?";
  std::string said = line_with(log, "error");
  if (said.empty())
    said = line_with(log, "TPM");
  // The swtpm directory differs from run to run; the matrix row must not.
  const std::string tpm_dir = swtpm_.dir().string();
  for (auto at = said.find(tpm_dir); at != std::string::npos; at = said.find(tpm_dir, at))
    said.replace(at, tpm_dir.size(), "TPMDIR");

  // (c) The TPM comes back on the same state directory.
  ASSERT_EQ(swtpm_.start(), "");
  const auto back = Clock::now();
  start();
  Clock::time_point at;
  const std::uint64_t landed = committed_above(last, seconds(40), &at);
  ASSERT_GT(landed, last) << "no epoch after the TPM came back\n" << logs();
  EXPECT_EQ(row(first)->state, daemon::State::kCommitted);
  EXPECT_NE(curl({setup_.api("/metrics")}).out.find("snprelay_tpm_unreachable 0"), std::string::npos);
  EXPECT_GT(expect_one_submission_per_epoch(), 2);
  report("TPM gone at a restart, then back (swtpm restarted on its state directory)",
         "start refused (exit " + std::to_string(status) + "): \"" + said +
             "\"; the key file is byte-identical; once the TPM is back the daemon starts and the next epoch "
             "lands (recovery from the TPM's return)",
         "nothing (epochs while the daemon was down are missed, none half-submitted)",
         seconds_between(back, at), epochs_missed(last, landed));
}

}  // namespace
}  // namespace snprelay::testing
