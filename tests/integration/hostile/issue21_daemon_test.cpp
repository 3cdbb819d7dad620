// Issue 21's daemon findings through the real binary, without a chain (the RPC endpoint refuses
// connections, so every pass fails and the daemon keeps serving): one daemon per home, SIGHUP, the
// backoff of repeated errors, and `doctor` failing exactly where `start` would on broken homes.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/background_process.hpp"
#include "tests/integration/hostile/bounded_cli.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMnemonic =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
constexpr const char* kPassphrase = "issue 21 passphrase";
constexpr const char* kKeyA = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

// A relayer home that `start` accepts: a passphrase-protected key, an existing simulated firmware
// state, a pinned signer set, an unreachable chain and KDS, the API on a free loopback port.
class Home : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("SNPRELAY_KEY_PASSPHRASE", kPassphrase, 1);
    std::ofstream(dir_.file("mnemonic")) << kMnemonic << "\n";
    ASSERT_EQ(::chmod(dir_.file("mnemonic").c_str(), 0600), 0);
    auto key = run({"keys", "add", "relayer", "--recover", "--mnemonic-file", dir_.file("mnemonic"),
                    "--keyring-dir", dir_.file("keys")});
    ASSERT_EQ(key.exit_code, 0) << key.err;
    auto sim = run({"report", "get", "--simulate", "--sim-state", dir_.file("sim"), "--nonce", "00", "-o",
                    dir_.file("probe.report")});
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    write_config(dir_.file("sim"));
  }
  void write_config(const std::string& sim_state) {
    std::ofstream(config_) << "[enclave]\nhardware_mode = \"simulate\"\n\n[enclave.sev_snp]\n"
                           << "kds_base_url = \"http://127.0.0.1:1\"\ncert_cache_path = \""
                           << dir_.file("kds") << "\"\nsim_state_dir = \"" << sim_state
                           << "\"\n\n[chain]\nchain_id = \"c\"\n"
                           << "rpc = [\"http://127.0.0.1:1\"]\nrpc_timeout = \"1s\"\n\n[chain.key]\nname = "
                           << "\"relayer\"\nkeyring_dir = \"" << dir_.file("keys")
                           << "\"\nprotection = \"passphrase\"\n\n[relayer]\noperator = "
                           << "\"cosmosvaloper1jhg0e7s6gn44tfc5k37kr04sznyhedtcqhk3u8\"\npoll_interval = "
                           << "\"200ms\"\nstate_dir = \"" << dir_.path().string() << "\"\njournal_path = \""
                           << dir_.file("journal.db") << "\"\n\n[allowlist]\nthreshold = 1\ndb_path = \""
                           << dir_.file("allowlist.db") << "\"\n\n[allowlist.signers]\na = \"" << kKeyA
                           << "\"\n\n[api]\nlisten = \"127.0.0.1:" << port_ << "\"\n";
  }
  ProcessResult run(std::vector<std::string> args) { return run_bounded(std::move(args), dir_.file("keys")); }
  // `start` in the background, its log in `log`; true once it serves its API.
  bool started(std::unique_ptr<BackgroundProcess>& daemon, const std::string& log) {
    daemon = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{SNPRELAY_BIN, "start", "--config", config_}, log);
    for (int i = 0; i < 200; ++i) {
      if (slurp(log).find("API listening") != std::string::npos)
        return true;
      if (daemon->exited())
        return false;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  // The doctor's level for `check` ("ok", "warn", "fail") and its detail.
  std::pair<std::string, std::string> doctor(const std::string& check) {
    const ProcessResult r = run({"doctor", "--config", config_, "--json"});
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded())
      return {"unparsed", r.out + r.err};
    for (const auto& c : j)
      if (c.value("check", "") == check)
        return {c.value("level", ""), c.value("detail", "")};
    return {"missing", r.out};
  }

  TempDir dir_{"snprelay-issue21-home"};
  int port_ = free_port();
  std::string config_ = dir_.file("relayer.toml");
};

TEST_F(Home, ASecondStartOnTheSameHomeExits2NamingThePidAndSighupReloadsInsteadOfKilling) {
  std::unique_ptr<BackgroundProcess> first;
  ASSERT_TRUE(started(first, dir_.file("first.log"))) << slurp(dir_.file("first.log"));
  const std::string pid = std::to_string(first->pid());

  const ProcessResult second = run({"start", "--config", config_});
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("HELD"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("PID " + pid), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("API listening"), std::string::npos) << "the second daemon opened its API";

  const ProcessResult status = run({"status", "--config", config_});
  EXPECT_NE(status.out.find("daemon: running (PID " + pid), std::string::npos) << status.out << status.err;
  EXPECT_EQ(doctor("daemon").first, "warn");

  // SIGHUP: a reload and a log line, never a silent death (exit 129).
  ASSERT_EQ(::kill(first->pid(), SIGHUP), 0);
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(first->exited()) << slurp(dir_.file("first.log"));
  EXPECT_NE(slurp(dir_.file("first.log")).find("SIGHUP: reloaded"), std::string::npos)
      << slurp(dir_.file("first.log"));

  // The chain is unreachable: the same error every pass is logged once, and passes back off.
  std::this_thread::sleep_for(3s);
  const std::string log = slurp(dir_.file("first.log"));
  EXPECT_EQ(count_of(log, "epoch pass failed"), 1u) << log;
  EXPECT_EQ(first->stop(), 0) << log;
  const ProcessResult after = run({"status", "--config", config_});
  EXPECT_NE(after.out.find("daemon: not running"), std::string::npos) << after.out << after.err;
}

TEST_F(Home, DoctorFailsExactlyWhereStartWould) {
  // A sound home: start serves, and doctor fails none of the checks start performs.
  {
    std::unique_ptr<BackgroundProcess> d;
    ASSERT_TRUE(started(d, dir_.file("good.log"))) << slurp(dir_.file("good.log"));
    EXPECT_EQ(d->stop(), 0);
    for (const char* check : {"evidence", "key", "journal", "daemon", "api"})
      EXPECT_NE(doctor(check).first, "fail") << check << ": " << doctor(check).second;
    // The KDS is unreachable in this home (127.0.0.1:1) and start serves all the same: the simulated
    // firmware's certificate table supplies the VCEK, so doctor warns instead of failing. (With a cold
    // cache and no VCEK from the host it fails: no pass could get one.)
    const auto [kds_level, kds_detail] = doctor("kds");
    EXPECT_EQ(kds_level, "warn") << kds_detail;
    EXPECT_NE(kds_detail.find("unreachable"), std::string::npos) << kds_detail;
  }
  struct Case {
    const char* name;
    std::function<void()> breakit;
    std::function<void()> repair;
    const char* check;  // the doctor check that must fail
    const char* start_says;
  };
  const std::string sim = dir_.file("sim");
  const std::string empty_sim = dir_.file("empty-sim");
  const Case cases[] = {
      {"empty sim state",
       [&] {
         std::filesystem::create_directory(empty_sim);
         write_config(empty_sim);
       },
       [&] { write_config(sim); }, "evidence", "SIM_STATE_MISSING"},
      {"garbage journal",
       [&] {
         std::filesystem::rename(dir_.file("journal.db"), dir_.file("journal.good"));
         std::ofstream(dir_.file("journal.db")) << std::string(8192, 'x');
       },
       [&] { std::filesystem::rename(dir_.file("journal.good"), dir_.file("journal.db")); }, "journal",
       "journal.db"},
      {"wrong passphrase", [&] { ::setenv("SNPRELAY_KEY_PASSPHRASE", "not the passphrase", 1); },
       [&] { ::setenv("SNPRELAY_KEY_PASSPHRASE", kPassphrase, 1); }, "key", "passphrase"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    c.breakit();
    const auto [level, detail] = doctor(c.check);
    EXPECT_EQ(level, "fail") << detail;
    const ProcessResult start = run({"start", "--config", config_});
    EXPECT_EQ(start.exit_code, 2) << start.err;
    EXPECT_NE(start.err.find(c.start_says), std::string::npos) << start.err;
    EXPECT_NE(detail.find(c.start_says), std::string::npos) << detail;
    c.repair();
  }
  // doctor and start made no simulated keys in the empty state directory.
  EXPECT_TRUE(std::filesystem::is_empty(empty_sim));

  // A tampered allowlist copy: start does not use it (it sets it aside and rebuilds from the chain),
  // and doctor says so instead of ok.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("allowlist.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO entries SELECT zeroblob(48), 'smuggled', 0, 0, 0, x'', x'', x'', 0, 1 "
                         "FROM meta",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto [level, detail] = doctor("allowlist");
  EXPECT_EQ(level, "warn") << detail;
  EXPECT_NE(detail.find("does not match its signed updates"), std::string::npos) << detail;
  std::unique_ptr<BackgroundProcess> d;
  ASSERT_TRUE(started(d, dir_.file("tampered.log"))) << slurp(dir_.file("tampered.log"));
  EXPECT_NE(slurp(dir_.file("tampered.log")).find("rebuilt from the chain"), std::string::npos)
      << slurp(dir_.file("tampered.log"));
  EXPECT_EQ(d->stop(), 0);
}

}  // namespace
}  // namespace snprelay::testing
