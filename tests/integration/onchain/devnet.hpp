// A real snpattestd devnet (or N-validator localnet) for the end-to-end tests: `snpattestd devnet init`
// into a private temporary home with the simulated firmware's state, `snpattestd devnet start` as a
// child process (its output goes to HOME/devnet.log, so a full pipe can never stall the chain), and
// the DIR/devnet.json contract (issue #10 point 6) read back. The child is stopped by its PID (SIGTERM,
// then SIGKILL after a grace period) when the Devnet is destroyed; kill_node() SIGKILLs the process of
// one validator by PID, and restart_node() starts it again (`snpattestd start --home HOME/nodeN`, a child
// of the test, stopped with the Devnet). Loopback ports are chosen free at start.
#pragma once

#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/background_process.hpp"
#include "tests/integration/run_process.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::testing {

// True when TCP port `port` on 127.0.0.1 can be bound right now.
inline bool port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A base port P such that P .. P + span - 1 are all free (random search in 20000..59999).
inline int free_port_block(int span) {
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(2000, 5999);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = pick(rng) * 10;
    bool all = true;
    for (int p = base; p < base + span && all; ++p)
      all = port_free(p);
    if (all)
      return base;
  }
  return 0;
}

struct DevnetOptions {
  int validators = 1;
  std::string chain_id = "snpdev-1";
  std::string block_time = "500ms";
  int epoch_blocks = 10;
  // An image description (IMAGE.toml): the simulated firmware is launched with it (`snprelay sim launch`)
  // before `devnet init`, so the genesis's first allowlist holds the image's computed measurement.
  std::string sim_image;
};

class Devnet {
 public:
  // Everything up to "ready"; check error() afterwards (empty = running).
  Devnet(std::string snpattestd, std::string snprelay, DevnetOptions options)
      : snpattestd_(std::move(snpattestd)),
        snprelay_(std::move(snprelay)),
        options_(std::move(options)),
        tmp_("snprelay-devnet"),
        dir_(tmp_.path()) {
    home_ = dir_ / "home";
    sim_ = dir_ / "sim";
    start();
  }
  Devnet(const Devnet&) = delete;
  Devnet& operator=(const Devnet&) = delete;
  ~Devnet() {
    stop();
    if (!error_.empty())
      tmp_.keep();  // on failure the directory (with devnet.log) stays for a post-mortem
  }

  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const nlohmann::json& info() const { return info_; }
  [[nodiscard]] std::filesystem::path dir() const { return dir_; }
  [[nodiscard]] std::string sim_state() const { return sim_.string(); }
  [[nodiscard]] std::string chain_id() const { return info_.value("chain_id", ""); }
  [[nodiscard]] std::string denom() const { return info_.value("denom", ""); }
  [[nodiscard]] std::string gas_price() const { return info_.value("min_gas_price", "") + denom(); }
  [[nodiscard]] std::vector<std::string> rpc() const {
    std::vector<std::string> out;
    for (const auto& u : info_.at("rpc"))
      out.push_back(u.get<std::string>());
    return out;
  }
  [[nodiscard]] pid_t pid() const { return process_ ? process_->pid() : -1; }
  [[nodiscard]] std::string log_tail(std::size_t bytes = 4000) const {
    std::ifstream in(home_ / "devnet.log");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string s = ss.str();
    return s.size() > bytes ? s.substr(s.size() - bytes) : s;
  }

  // SIGKILL the process serving validator `index`: `devnet start` prints "<moniker> rpc URL pid N log
  // F" per node; N must be a child of the devnet process (never anyone else's). Returns N or 0.
  pid_t kill_node(int index) {
    if (auto again = restarted_.find(index); again != restarted_.end() && again->second->running()) {
      const pid_t node = again->second->pid();
      ::kill(node, SIGKILL);
      return node;
    }
    const std::string moniker = info_.at("validators").at(index).value("moniker", "");
    std::ifstream in(home_ / "devnet.log");
    for (std::string line; std::getline(in, line);) {
      if (moniker.empty() || line.rfind(moniker + " rpc ", 0) != 0)
        continue;
      const auto at = line.find(" pid ");
      if (at == std::string::npos)
        continue;
      const pid_t node = static_cast<pid_t>(std::atol(line.c_str() + at + 5));
      const auto children = descendants(pid());
      if (node <= 0 || std::find(children.begin(), children.end(), node) == children.end())
        return 0;
      ::kill(node, SIGKILL);
      return node;
    }
    return 0;
  }

  // Starts validator `index` again after kill_node(): its home, keys and ports are unchanged, so it
  // rejoins and catches up with the others. Its output goes to HOME/nodeN/restart.log. Returns its PID,
  // or 0 when it exited at once.
  pid_t restart_node(int index) {
    const auto node_home = home_ / ("node" + std::to_string(index));
    auto p = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{snpattestd_, "start", "--home", node_home.string(), "--log_no_color"},
        (node_home / "restart.log").string(), std::chrono::seconds(10));
    if (!p->running())
      return 0;
    const pid_t pid = p->pid();
    restarted_[index] = std::move(p);
    return pid;
  }

  // SIGTERM, wait up to 10 s, then SIGKILL.
  void stop() {
    restarted_.clear();
    process_.reset();
  }

 private:
  static std::vector<pid_t> descendants(pid_t root) {
    std::vector<std::pair<pid_t, pid_t>> all;  // (pid, ppid)
    if (DIR* d = ::opendir("/proc")) {
      while (dirent* e = ::readdir(d)) {
        const pid_t p = static_cast<pid_t>(std::atoi(e->d_name));
        if (p <= 0)
          continue;
        std::ifstream st("/proc/" + std::to_string(p) + "/stat");
        std::string line;
        std::getline(st, line);
        const auto close = line.rfind(')');
        if (close == std::string::npos)
          continue;
        std::istringstream rest(line.substr(close + 2));
        char state = 0;
        pid_t ppid = 0;
        rest >> state >> ppid;
        all.emplace_back(p, ppid);
      }
      ::closedir(d);
    }
    std::vector<pid_t> out{root};
    for (std::size_t i = 0; i < out.size(); ++i)
      for (const auto& [p, pp] : all)
        if (pp == out[i])
          out.push_back(p);
    out.erase(out.begin());
    return out;
  }

  bool run_step(const std::vector<std::string>& argv, const std::string& what) {
    auto r = run_process(argv);
    if (r.exit_code != 0)
      error_ = what + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err + r.out;
    return r.exit_code == 0;
  }

  void start() {
    if (!std::filesystem::exists(snpattestd_)) {
      error_ = snpattestd_ + " is not built (cd onchain && go build -o " + snpattestd_ + " ./cmd/snpattestd)";
      return;
    }
    // The simulated firmware's state (ARK/ASK, chip) is created by its first use.
    if (!run_step({snprelay_, "report", "get", "--simulate", "--sim-state", sim_.string(), "--report-data",
                   "00", "-o", (dir_ / "first.report").string()},
                  "snprelay report get (creating the simulated firmware state)"))
      return;
    if (!options_.sim_image.empty() &&
        !run_step({snprelay_, "sim", "launch", "--sim-state", sim_.string(), "--image", options_.sim_image},
                  "snprelay sim launch (the simulated firmware launched with " + options_.sim_image + ")"))
      return;
    const int base = free_port_block(10 * options_.validators + 10);
    if (base == 0) {
      error_ = "no free block of loopback ports";
      return;
    }
    if (!run_step({snpattestd_, "devnet", "init", "--home", home_.string(), "--chain-id", options_.chain_id,
                   "--validators", std::to_string(options_.validators), "--sim-state", sim_.string(),
                   "--block-time", options_.block_time, "--epoch-blocks",
                   std::to_string(options_.epoch_blocks), "--rpc-port", std::to_string(base)},
                  "snpattestd devnet init"))
      return;
    std::ifstream in(home_ / "devnet.json");
    info_ = nlohmann::json::parse(in, nullptr, false);
    if (info_.is_discarded() || !info_.is_object() || !info_.contains("rpc") || info_["rpc"].empty()) {
      error_ = "devnet.json is missing or has no rpc list";
      return;
    }
    const std::string log = (home_ / "devnet.log").string();
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{snpattestd_, "devnet", "start", "--home", home_.string()}, log,
        std::chrono::seconds(10));
    if (!process_->running()) {
      error_ = "cannot spawn snpattestd devnet start";
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      if (process_->exited()) {
        error_ = "snpattestd devnet start exited before it was ready:\n" + log_tail();
        return;
      }
      std::ifstream lf(log);
      for (std::string line; std::getline(lf, line);)
        if (line == "ready" || line.rfind("ready", 0) == 0)
          return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    error_ = "snpattestd devnet start did not print \"ready\" within 90 s:\n" + log_tail();
  }

  std::string snpattestd_;
  std::string snprelay_;
  DevnetOptions options_;
  TempDir tmp_;
  std::filesystem::path dir_;
  std::filesystem::path home_;
  std::filesystem::path sim_;
  nlohmann::json info_;
  std::unique_ptr<BackgroundProcess> process_;
  std::map<int, std::unique_ptr<BackgroundProcess>> restarted_;  // restart_node()'s, by validator index
  std::string error_;
};

}  // namespace snprelay::testing
