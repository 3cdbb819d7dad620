// A private swtpm (TPM 2.0 simulator) for one test process, on unix sockets in its own temp dir.
//
// Swtpm::start() creates a state directory (on /dev/shm when available: no fsync cost), forks and
// execs `swtpm socket --tpm2 --server type=unixio,path=<dir>/swtpm.sock --ctrl
// type=unixio,path=<dir>/swtpm.sock.ctrl --tpmstate dir=<dir> --flags not-need-init,startup-clear`
// (swtpm(8), socket interface), then waits up to 5 s until both sockets accept connections, noticing an early
// exit of the child. tcti() is the string to open it with ("swtpm:path=<dir>/swtpm.sock"; the TCTI
// derives "<path>.ctrl" itself).
//
// Lifetime: stop() sends SIGTERM to the child's PID and reaps it (SIGKILL after 5 s); restart()
// = stop() + start on the same state directory (a reboot: PCRs reset, same seeds, so old blobs still
// load). The destructor stops the simulator and removes the directory, so an assertion failure that
// unwinds a test never leaves a swtpm behind; the child also gets PR_SET_PDEATHSIG(SIGKILL), so even a
// crashed or killed test process takes its swtpm with it. Each test process must use its own
// instances (swtpm serves one client at a time and has no resource manager).
//
// Thread-safety: none; use from the test's thread.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../unit/temp_dir.hpp"

namespace snprelay::testing {

class Swtpm {
 public:
  Swtpm() : tmp_("snprelay-swtpm", state_base()), dir_(tmp_.path()) {}
  Swtpm(const Swtpm&) = delete;
  Swtpm& operator=(const Swtpm&) = delete;
  ~Swtpm() { stop(); }

  // Starts swtpm on this instance's state directory. Returns "" on success, else why it failed
  // (including swtpm's own log).
  [[nodiscard]] std::string start() {
    if (pid_ > 0)
      return "";
    const std::string log = (dir_ / "swtpm.log").string();
    std::vector<std::string> args = {"swtpm",
                                     "socket",
                                     "--tpm2",
                                     "--server",
                                     "type=unixio,path=" + socket_path(),
                                     "--ctrl",
                                     "type=unixio,path=" + socket_path() + ".ctrl",
                                     "--tpmstate",
                                     "dir=" + dir_.string(),
                                     "--flags",
                                     "not-need-init,startup-clear"};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
      return std::string("fork: ") + std::strerror(errno);
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent)
        ::_exit(127);
      const int devnull = ::open("/dev/null", O_RDONLY);
      const int logfd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (devnull >= 0)
        ::dup2(devnull, 0);
      if (logfd >= 0) {
        ::dup2(logfd, 1);
        ::dup2(logfd, 2);
      }
      ::execvp("swtpm", argv.data());
      ::_exit(127);
    }
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "swtpm exited early (status " + std::to_string(status) + "): " + read_log();
      }
      if (connectable(socket_path() + ".ctrl") && connectable(socket_path()))
        return "";
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    stop();
    return "swtpm did not listen within 5 s: " + read_log();
  }

  // SIGTERM to our child, reap it; SIGKILL if it has not exited after 5 s. No-op when not running.
  void stop() {
    if (pid_ <= 0)
      return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    pid_ = -1;
  }

  // A simulated reboot: same state directory, PCRs back to their reset values.
  [[nodiscard]] std::string restart() {
    stop();
    return start();
  }

  [[nodiscard]] std::string tcti() const { return "swtpm:path=" + socket_path(); }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string socket_path() const { return (dir_ / "swtpm.sock").string(); }

 private:
  static bool connectable(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }
  [[nodiscard]] std::string read_log() const {
    std::ifstream in(dir_ / "swtpm.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // swtpm's state in memory when /dev/shm is writable (faster, nothing left on disk).
  static std::filesystem::path state_base() {
    std::error_code ec;
    return std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
               ? std::filesystem::path("/dev/shm")
               : std::filesystem::temp_directory_path();
  }

  TempDir tmp_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

}  // namespace snprelay::testing
