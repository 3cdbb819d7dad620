// Launching the simulated firmware "with" an image: the measurement computed from an image description
// (attest/measure/image.hpp) is kept in the simulated firmware's state directory, and every report the
// firmware signs afterwards carries it as MEASUREMENT, as a real guest launched from that image would.
//
// The state file is `launched_image` (0600): the measurement in hex on the first line, the image's
// allowlist label on the second. SimFirmware::open uses it unless its settings name another measurement
// (--sim-measurement wins, so a test can still ask for any value).
//
// Errors: SIM_STATE (kind kInput) for an unreadable or malformed `launched_image`, naming the file;
// io errors from writing it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "common/error.hpp"

namespace snprelay::attest {

struct LaunchedImage {
  std::array<std::uint8_t, 48> measurement{};
  std::string label;  // the allowlist entry label of the image (one line)
};

// Records `image` in `state_dir` (created 0700 when missing), replacing any earlier launch.
[[nodiscard]] Status record_launched_image(const std::string& state_dir, const LaunchedImage& image);

// The image recorded in `state_dir`, or nullopt when the firmware was never launched with one.
[[nodiscard]] Result<std::optional<LaunchedImage>> read_launched_image(const std::string& state_dir);

}  // namespace snprelay::attest
