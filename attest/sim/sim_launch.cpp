#include "attest/sim/sim_launch.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "common/file_io.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {
namespace {

constexpr const char* kFile = "/launched_image";

Error state_error(const std::string& message) {
  return make_error("attest", "SIM_STATE", message, ErrorKind::kInput);
}

}  // namespace

Status record_launched_image(const std::string& state_dir, const LaunchedImage& image) {
  if (image.label.find('\n') != std::string::npos)
    return state_error("the launched image's label spans lines");
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec || ::chmod(state_dir.c_str(), 0700) != 0)
    return state_error("cannot create the simulated firmware's state directory " + state_dir);
  return write_file_atomic(state_dir + kFile, to_hex(image.measurement) + "\n" + image.label + "\n", 0600);
}

Result<std::optional<LaunchedImage>> read_launched_image(const std::string& state_dir) {
  const std::string path = state_dir + kFile;
  if (!std::filesystem::exists(path))
    return std::optional<LaunchedImage>{};
  auto raw = read_input_file(path, kMaxTextFileBytes, "launched image");
  if (!raw)
    return raw.error();
  const std::string text(raw->begin(), raw->end());
  const auto nl = text.find('\n');
  auto m = from_hex(text.substr(0, nl));
  if (nl == std::string::npos || !m || m->size() != 48)
    return state_error(path + ": the first line is not a 48-byte measurement in hex");
  LaunchedImage out;
  std::copy(m->begin(), m->end(), out.measurement.begin());
  out.label = text.substr(nl + 1);
  if (!out.label.empty() && out.label.back() == '\n')
    out.label.pop_back();
  return std::optional<LaunchedImage>{std::move(out)};
}

}  // namespace snprelay::attest
