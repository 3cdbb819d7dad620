// The relayer daemon behind `snprelay start --config F`: every part built from the configuration, the
// epoch loop, and the local API.
//
// Lifecycle: Daemon::open(config) first takes the home's lock (app::daemon_lock_path: a second daemon on the
// same state_dir gets lock HELD naming the PID, exit 2, before anything else is opened), then opens
// everything a pass needs and fails early with the reason (RPC client, relayer key in its protection mode,
// allowlist copy with the pinned signer set, evidence source by hardware_mode, KDS client and cache,
// submission journal), and binds the API listeners. run() then serves until SIGTERM or SIGINT (or stop() from
// another thread):
//   * one boost::asio::io_context on the calling thread runs the epoch timer and the signals (C++20
//     coroutines, daemon_loop.cpp); each pass — blocking RPC, ioctl, KDS, SQLite, verification — runs on
//     a one-thread asio::thread_pool, so a pass never overlaps the next one and the timer thread never
//     blocks;
//   * the first pass resolves unfinished journal rows (EpochRunner::recover), then every pass calls
//     EpochRunner::attest_current and publishes its outcome to health, status and metrics;
//   * the API (relayer/api) runs on its own I/O thread and worker pool (api::HttpServer);
//   * SIGHUP re-reads the configuration (reload(): log level, bearer token) and never stops the daemon;
//   * repeated pass errors back off (poll_interval()) and are logged once per change with a count;
//   * SIGTERM or SIGINT stops the timer, lets the pass in progress finish, stops the API (in-flight requests
//     drain) and returns; the journal and the allowlist database close with the Daemon.
// Logs are the guide's lines where they are true ("Hardware backend initialized", "TCB version below
// minimum", "Certificate chain validation failed", "SEV-SNP debug policy allowed") plus one line per pass.
//
// Errors from open(): those of each part, unchanged (their kinds decide the exit code). run() returns an
// error only when the loop cannot start (the signal set or the API).
// Thread-safety: open(), run() from one thread; stop() from any thread; the HealthSource and the status
// callback are called from API worker threads and read a mutex-guarded snapshot.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "config/config.hpp"
#include "relayer/api/health.hpp"
#include "relayer/api/metrics.hpp"
#include "relayer/daemon/epoch_runner.hpp"

namespace snprelay::daemon {

// What the API reports between passes.
struct PassState {
  std::optional<std::uint64_t> last_epoch;
  std::string last_status;  // outcome_name() of the last pass, or "error"
  std::string last_message;
  std::int64_t last_success_unix = 0;
  std::uint64_t allowlist_version = 0;
  bool chain_reachable = false;
  std::string rpc_endpoint;  // the [chain] rpc endpoint the last pass ended on (failover)
  bool simulated = false;
  bool hardware_enabled = false;
  std::uint64_t reported_tcb = 0;
  attest::Product product = attest::Product::kUnknown;
  std::vector<std::string> degraded_reasons;
  std::uint64_t passes = 0;
  std::vector<Entry>
      recent;  // the journal's newest rows, copied after each pass (the API never reads SQLite)
};

class Daemon {
 public:
  // See the file comment. `config_path` names the file in messages.
  [[nodiscard]] static Result<std::unique_ptr<Daemon>> open(std::shared_ptr<const config::Config> config,
                                                            std::string config_path);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Serves until a signal or stop(); see the file comment.
  [[nodiscard]] Status run();
  // Asks run() to return after the pass in progress. Safe from any thread and from a signal's handler
  // thread; idempotent.
  void stop();

  // One pass (recover on the first, then attest_current); what the loop runs on its worker. Public so
  // tests can drive passes without the timer.
  void pass();

  [[nodiscard]] PassState state() const;
  [[nodiscard]] std::uint16_t api_port() const;
  // The wait before the next pass: [relayer] poll_interval, doubled after each consecutive failed pass
  // (an unreachable node, a database error) up to kMaxBackoff (never below poll_interval), back to
  // poll_interval after a pass that reached a verdict. A failure is logged when it first happens and
  // when it changes; a repeat only counts, and the count is logged when the error changes or clears.
  [[nodiscard]] std::chrono::milliseconds poll_interval() const;
  static constexpr std::chrono::seconds kMaxBackoff{30};

  // SIGHUP: re-reads the configuration file and applies what can change at run time — [log] level and
  // the API's bearer token ([api] bearer_token_file) — and says in the log what it applied; everything
  // else needs a restart (logged too). A file that no longer loads is logged and changes nothing.
  // Called on the loop's thread; the API and the pass keep running.
  void reload();

  struct Parts;  // everything open() built (daemon.cpp)

 private:
  explicit Daemon(std::unique_ptr<Parts> parts);
  // When the key is sealed to a vTPM: opens it (at most once per kTpmProbeInterval) and records whether
  // it answered; publish() then lists a failure among the degraded reasons.
  void probe_tpm();
  void publish(const Result<EpochOutcome>& outcome);
  [[nodiscard]] std::chrono::milliseconds backoff_locked() const;  // requires mu_
  static constexpr std::chrono::seconds kTpmProbeInterval{10};

  std::unique_ptr<Parts> parts_;
  mutable std::mutex mu_;
  PassState state_;  // guarded by mu_
  // Failed passes (guarded by mu_): how many in a row, the last error's text and how often it repeated.
  std::uint32_t consecutive_errors_ = 0;
  std::string last_error_;
  std::uint64_t error_repeats_ = 0;
  bool recovered_ = false;
  std::atomic<bool> stopping_{false};
  std::function<void()> wake_;  // set by run(): cancels the timer
};

// The gas limit a submission is signed with when the node's simulation fails. Measured on devnets, a
// MsgSubmitAttestation (1184-byte report, a VCEK of about 1.4 KB, the module's chain verification) uses
// 558,000-630,000 gas; the old fallback of 400,000 lost the epoch to out-of-gas whenever simulation failed
// (issue 21). So: [chain] gas_fallback, raised to at least kSubmissionGasUpperBound (about a quarter
// above the largest measurement), never above [chain] gas_limit_max.
inline constexpr std::uint64_t kSubmissionGasUpperBound = 800'000;
[[nodiscard]] std::uint64_t submission_gas_fallback(const config::Config& config);

// The spdlog level of a configuration's [log] level.
[[nodiscard]] spdlog::level::level_enum spdlog_level(config::LogLevel level);

// The loop of run() (daemon_loop.cpp, the daemon's only coroutine translation unit): passes every
// poll interval until `stopping`; `set_wake` receives a callable (safe from any thread) that cuts the
// current wait short, and an empty one when the loop ends.
[[nodiscard]] Status run_epoch_loop(Daemon& daemon, const std::atomic<bool>& stopping,
                                    const std::function<void(std::function<void()>)>& set_wake);

}  // namespace snprelay::daemon
