// Fault matrix, KDS: the daemon takes its VCEK from the KDS (vcek_source = "kds", kds_timeout 3 s: the
// whole fetch, retries included) served by `snprelay sim kds` on a fixed loopback port, with a cold
// cache unless said otherwise:
//   * the stand-in answers every request 500 (--fail-rate 1);
//   * a socket that accepts connections and never answers (a hung KDS);
//   * the cached VCEK file has garbage written over its middle while the daemon is stopped, and the KDS
//     is down when it starts again;
//   * the cached VCEK file is replaced, while the daemon is stopped, by a well-formed entry (its checksum
//     recomputed) holding another certificate, with the KDS up.
// What must hold: no report is broadcast without the right VCEK (the epoch is not attested while the
// KDS cannot give one: a clear error), the daemon keeps running, and once the KDS is back the next
// epoch lands. Recovery is measured from the fault's END (the healthy stand-in listening again).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>

#include "tests/integration/background_process.hpp"
#include "tests/integration/faults/fault_case.hpp"
#include "tests/integration/run_process.hpp"

namespace snprelay::testing {
namespace {

using std::chrono::seconds;

class KdsFaults : public FaultCase {
 protected:
  void SetUp() override {
    FaultCase::SetUp();
    if (HasFatalFailure())
      return;
    port_ = free_port_block(1);
    ASSERT_GT(port_, 0);
    RelayerOptions options;
    options.kds_base_url = "http://127.0.0.1:" + std::to_string(port_) + "/vcek/v1";
    options.sev_snp_extra = "vcek_source = \"kds\"\nkds_timeout = \"3s\"\n";
    configure({node()}, options);
  }

  // `snprelay sim kds` on the case's port with `extra` flags; fails the test when it does not listen.
  void start_kds(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {
        SNPRELAY_BIN,     "sim", "kds", "--listen", "127.0.0.1:" + std::to_string(port_), "--state",
        net().sim_state()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    kds_ = std::make_unique<BackgroundProcess>(argv);
    const auto line = kds_->read_line(seconds(20));
    ASSERT_TRUE(line && line->starts_with("listening on ")) << line.value_or("(nothing)");
  }

  // Runs the daemon into the fault until the epoch it started in has closed; checks that nothing was
  // attested, that the daemon is alive and what it logged (a line containing `needle`), then calls
  // `heal` and measures. Reports one line.
  void outage_then_heal(const std::string& fault, const std::string& needle,
                        const std::function<void()>& heal, std::uint64_t committed_before = 0) {
    const std::uint64_t epoch = fresh_epoch();
    start();
    const auto limit = Clock::now() + seconds(20);
    while (current_epoch() <= epoch && Clock::now() < limit)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_GT(current_epoch(), epoch);
    EXPECT_EQ(committed_above(committed_before, seconds(0)), 0u) << "attested without a VCEK?\n" << logs();
    ASSERT_FALSE(daemon_->exited()) << logs();
    std::string said = line_with(daemon_->log(), needle, 1000);
    EXPECT_FALSE(said.empty()) << "no \"" << needle << "\" in the log\n" << logs();
    if (const auto why = said.find(" failed after "); why != std::string::npos)  // the URL is long
      said = needle + ": <the VCEK URL>" + said.substr(why);
    const auto health = api_json(setup_.api("/health/enclave"));
    for (const auto& e : rows())  // nothing was broadcast without the VCEK
      EXPECT_TRUE(e.epoch <= committed_before || e.txhash.empty()) << "epoch " << e.epoch << " was broadcast";

    heal();
    const auto healed = Clock::now();
    Clock::time_point at;
    const std::uint64_t first = committed_above(committed_before, seconds(30), &at);
    ASSERT_GT(first, 0u) << "nothing landed once the KDS was back\n" << logs();
    EXPECT_GT(expect_one_submission_per_epoch(), 0);
    report(
        fault,
        "no VCEK, so no report is broadcast; the daemon keeps running, each pass logs \"" + said +
            "\"; health " + health.value("status", "?") + "; the next pass after the KDS is back lands",
        committed_before > 0 ? "nothing (the epoch committed before the fault stays committed)" : "nothing",
        seconds_between(healed, at), static_cast<int>(first - epoch));
  }

  // The cache file whose name starts with `prefix` (vcek-Milan-<chip>-<tcb>, vcek-chain-Milan), or "".
  std::string cached(const std::string& prefix) const {
    for (const auto& f : std::filesystem::directory_iterator(dir_.file("kds-cache")))
      if (f.path().filename().string().starts_with(prefix))
        return f.path().string();
    return "";
  }

  int port_ = 0;
  std::unique_ptr<BackgroundProcess> kds_;
};

TEST_F(KdsFaults, Every5xxNoAttestationUntilTheKdsHeals) {
  start_kds({"--fail-rate", "1"});
  outage_then_heal("KDS answers 500 to everything (cold cache)", "KDS_UNAVAILABLE", [&] {
    kds_.reset();
    start_kds();
  });
}

TEST_F(KdsFaults, HungKdsTimesOutNoAttestationUntilTheKdsHeals) {
  // A socket that takes connections (the kernel's backlog) and never answers one.
  const int hung = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(hung, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(hung, 64), 0);
  outage_then_heal("KDS accepts and never answers (kds_timeout 3 s, cold cache)", "KDS_UNAVAILABLE", [&] {
    ::close(hung);
    start_kds();
  });
}

TEST_F(KdsFaults, CorruptCachedVcekIsNeverUsedAndIsRefetched) {
  start_kds();
  const std::uint64_t first = commit_one_and_stop();
  ASSERT_GT(first, 0u);
  kds_.reset();

  // Garbage over the middle of the cached VCEK.
  const std::string vcek_file = cached("vcek-Milan-");
  ASSERT_FALSE(vcek_file.empty()) << "no cached VCEK in " << dir_.file("kds-cache");
  const std::string good = file_text(vcek_file);
  ASSERT_GT(good.size(), 200u);
  {
    std::fstream f(vcek_file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(good.size() / 2));
    f << std::string(64, '\xA5');
  }
  ASSERT_NE(file_text(vcek_file), good);

  outage_then_heal(
      "cached VCEK corrupted while stopped, KDS down at restart", "KDS_UNAVAILABLE", [&] { start_kds(); },
      first);
  // The cache holds the right VCEK again (refetched), not the garbage: the same payload after the
  // one-line header (whose store time differs).
  const auto payload = [](const std::string& entry) { return entry.substr(entry.find('\n') + 1); };
  EXPECT_EQ(payload(file_text(vcek_file)), payload(good));
}

// A wrong certificate in a well-formed cache entry (a restored backup of another machine's cache, a
// tampered file). Found by this matrix: the hwID/TCB check ran on fetched bytes only, so the entry was
// used every pass (the self-check refused the report) until the operator deleted it; CertCache now
// checks cached entries like fetched ones.
TEST_F(KdsFaults, WellFormedWrongCachedVcekIsCheckedAndFetchedAgain) {
  start_kds();
  const std::uint64_t first = commit_one_and_stop();
  ASSERT_GT(first, 0u);

  // Another certificate (a P-384 self-signed one, as DER) in an entry with a correct checksum.
  const std::string vcek_file = cached("vcek-Milan-");
  ASSERT_FALSE(vcek_file.empty()) << dir_.file("kds-cache");
  auto der =
      run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:secp384r1", "-nodes", "-subj", "/CN=not this chip's VCEK", "-days", "1",
                   "-keyout", dir_.file("wrong.key"), "-outform", "DER", "-out", dir_.file("wrong.der")});
  ASSERT_EQ(der.exit_code, 0) << der.err;
  auto sum = run_process({"/usr/bin/sha256sum", dir_.file("wrong.der")});
  ASSERT_EQ(sum.exit_code, 0);
  const std::string wrong_sum = sum.out.substr(0, 64);
  std::ofstream(vcek_file, std::ios::binary | std::ios::trunc)
      << "snprelay-cert-cache v1 " << wrong_sum << " " << std::time(nullptr) << "\n"
      << file_text(dir_.file("wrong.der"));

  // The cached entry is checked like a fetched one (hwID and TCB): refused, deleted, fetched again from
  // the KDS, and the next epoch lands without the operator.
  const auto restarted = Clock::now();
  start();
  Clock::time_point at;
  const std::uint64_t next = committed_above(first, seconds(30), &at);
  ASSERT_GT(next, first) << logs();
  ASSERT_FALSE(daemon_->exited()) << logs();
  const std::string entry = file_text(vcek_file);
  EXPECT_EQ(entry.find(wrong_sum), std::string::npos) << "the wrong certificate is still cached";
  EXPECT_GT(expect_one_submission_per_epoch(), 1);
  report("cached VCEK replaced by a well-formed entry holding another certificate (KDS up)",
         "the cached entry fails the hwID/TCB check like a fetched one: counted corrupt, deleted, fetched "
         "again from the KDS; the next epoch lands with no operator action",
         "nothing", seconds_between(restarted, at), static_cast<int>(next - first - 1));
}

}  // namespace
}  // namespace snprelay::testing
