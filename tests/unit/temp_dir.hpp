// A private temporary directory (mkdtemp, mode 0700) for one test or fixture, removed with everything
// in it at scope exit unless keep() was called (a fixture that failed keeps its logs for a post-mortem).
// `prefix` names it ("snprelay-devnet"), `base` is where it goes (the system temp directory by default;
// the swtpm fixture asks for /dev/shm).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace snprelay::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "snprelay-test",
                   const std::filesystem::path& base = std::filesystem::temp_directory_path()) {
    std::string tmpl = (base / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      std::abort();
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (keep_)
      return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Leave the directory on disk at scope exit.
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace snprelay::testing
