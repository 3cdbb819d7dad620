// `snprelay start` as a child of a fault-matrix test: a BackgroundProcess (tests/integration/
// background_process.hpp) whose standard output — with standard error joined to it by `sh -c 'exec
// ... 2>&1'`, so the PID is still the daemon's — is read through its pipe by a thread of the test,
// which copies it to a log file and keeps it for log(). The daemon itself therefore never writes a
// regular file for its log, so a file-size limit set on it (RLIMIT_FSIZE, the "disk full" fault) hits
// only the files it writes itself (journal, allowlist, cache), never its log.
//
// The child is stopped by its PID (SIGTERM, then SIGKILL after 5 s) when the object is destroyed, and
// the reading thread is joined after it.
// Thread-safety: log() may be called from any thread; everything else from the test's thread.
#pragma once

#include <signal.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/background_process.hpp"

namespace snprelay::testing {

class DaemonProcess {
 public:
  // Starts `SNPRELAY_BIN start --config CONFIG`; running() is false when the spawn failed. `env`
  // ("NAME=value" each, e.g. LD_PRELOAD for the clock-jump fault) is added to the daemon's environment
  // only: the shell execs /usr/bin/env, which execs the daemon, so the PID stays the daemon's.
  DaemonProcess(const std::string& config, const std::string& log_file,
                const std::vector<std::string>& env = {})
      : process_(argv(config, env)), reader_([this, log_file] { drain(log_file); }) {}
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  ~DaemonProcess() {
    stop();
    done_ = true;
    reader_.join();
  }

  [[nodiscard]] bool running() const { return process_.running(); }
  [[nodiscard]] pid_t pid() const { return process_.pid(); }
  // True once the child has exited; never blocks.
  bool exited() { return process_.exited(); }
  // Waits up to `limit` for the child to exit: its status (exit code, or 128 + signal), or -1 while it
  // is still running. Once it has exited, also waits (up to 5 s more) until the reading thread has
  // met the end of its output, so log() then holds everything it printed, its last error included.
  int wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!process_.exited() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!process_.exited())
      return -1;
    const auto drained = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!output_ended_ && std::chrono::steady_clock::now() < drained)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return process_.stop();  // stop() of an exited child: its status
  }
  // SIGTERM, up to 5 s, then SIGKILL; the exit status.
  int stop() { return process_.stop(); }
  // SIGKILL now; returns once the child is reaped.
  void kill9() {
    if (process_.running() && !process_.exited())
      ::kill(process_.pid(), SIGKILL);
    (void)wait_exit(std::chrono::seconds(10));
  }

  // Everything the daemon printed so far (whole lines).
  [[nodiscard]] std::string log() const {
    std::lock_guard lock(mu_);
    return text_;
  }

 private:
  // `sh -c` with the daemon's path as $0, the config as $1 and the environment entries after it.
  static std::vector<std::string> argv(const std::string& config, const std::vector<std::string>& env) {
    std::vector<std::string> out = {"/bin/sh", "-c",
                                    env.empty()
                                        ? "exec \"$0\" start --config \"$1\" 2>&1"
                                        : "bin=\"$0\"; config=\"$1\"; shift; "
                                          "exec /usr/bin/env \"$@\" \"$bin\" start --config \"$config\" 2>&1",
                                    SNPRELAY_BIN, config};
    out.insert(out.end(), env.begin(), env.end());
    return out;
  }

  void drain(const std::string& log_file) {
    std::ofstream out(log_file, std::ios::trunc);
    while (!done_) {
      const auto line = process_.read_line(std::chrono::milliseconds(200));
      if (!line) {  // a quiet 200 ms, or the end of the output (the child exited): wait for more or done_
        output_ended_ = process_.output_ended();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      out << *line << '\n' << std::flush;
      std::lock_guard lock(mu_);
      text_ += *line + '\n';
    }
  }

  BackgroundProcess process_;
  std::atomic<bool> done_{false};
  std::atomic<bool> output_ended_{false};  // set by the reading thread: the pipe is at its end
  mutable std::mutex mu_;
  std::string text_;    // guarded by mu_
  std::thread reader_;  // last: started once everything it reads exists
};

}  // namespace snprelay::testing
