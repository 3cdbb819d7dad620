// A child process that runs beside a test (a local KDS, a devnet ...): started with posix_spawn,
// its standard output either read line by line through a pipe (e.g. "listening on 127.0.0.1:PORT")
// or, for a long-lived chatty child, written with its standard error to a log file (a full pipe can
// then never stall it), and stopped by PID — SIGTERM, then SIGKILL after a grace period — when the
// object goes out of scope, so a failed assertion never leaves it running.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace snprelay::testing {

class BackgroundProcess {
 public:
  // Standard output through a pipe, for read_line().
  explicit BackgroundProcess(std::vector<std::string> argv) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    spawn(argv, actions);
    ::close(fds[1]);
    out_ = fds[0];
  }

  // Standard output and error to `log_file` (created 0600, truncated); read_line() is not available.
  BackgroundProcess(std::vector<std::string> argv, const std::string& log_file,
                    std::chrono::milliseconds grace = std::chrono::seconds(5))
      : grace_(grace) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    spawn(argv, actions);
  }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess() {
    stop();
    if (out_ >= 0)
      ::close(out_);
  }

  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] pid_t pid() const { return pid_; }

  // True (and the exit status recorded) when the child has already exited; never blocks.
  bool exited() {
    int status = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) != pid_)
      return pid_ <= 0;
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }

  // The next line of standard output, or nullopt after `timeout` or at end of output.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return std::nullopt;
      char buf[512];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) {
        output_ended_ = output_ended_ || n == 0;
        return std::nullopt;
      }
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // True once read_line() has met the end of the output (every writer of the pipe has closed it, e.g.
  // the child exited), so every line it printed has been returned. Same thread as read_line().
  [[nodiscard]] bool output_ended() const { return output_ended_ && buffer_.empty(); }

  // SIGTERM, wait up to the grace period (5 s unless given), then SIGKILL. Returns the exit status
  // (128 + signal if killed).
  int stop() {
    if (pid_ <= 0)
      return exit_status_;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace_;
    while (std::chrono::steady_clock::now() < deadline) {
      if (exited())
        return exit_status_;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    int status = 0;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = 128 + SIGKILL;
    return exit_status_;
  }

 private:
  void spawn(std::vector<std::string> argv, posix_spawn_file_actions_t& actions) {
    std::vector<char*> cargv;
    for (auto& a : argv)
      cargv.push_back(a.data());
    cargv.push_back(nullptr);
    if (::posix_spawn(&pid_, cargv[0], &actions, nullptr, cargv.data(), environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }

  std::chrono::milliseconds grace_ = std::chrono::seconds(5);
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
  int exit_status_ = -1;
  bool output_ended_ = false;
};

}  // namespace snprelay::testing
