// Internal to relayer/cli: the launch-measurement commands (issue #25, measure_commands.cpp) and the
// hooks the allowlist commands call.
//   allowlist measure REPORT                      a report's measurement and its `allowlist new --add`
//   allowlist measure --ovmf FILE [--kernel ...]  the measurement an image's parts and launch shape give
//   allowlist measure --image IMAGE.toml          the same, from an image description
//   sim launch --sim-state DIR --image IMAGE.toml the simulated firmware reports that image's measurement
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "allowlist/types.hpp"
#include "common/error.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {

// Registers `allowlist measure` under `al_cmd` and `sim launch` under the root's `sim` command.
void add_measure_commands(CLI::App* al_cmd, Outcome& outcome);

// `allowlist new --add-measured IMAGE.toml...`: one entry per image, its measurement computed and its
// label naming the image and its inputs' SHA-256 (attest/measure/image.hpp image_label). Errors: those
// of loading and measuring an image; cli BAD_INPUT for two images of the same name.
[[nodiscard]] Result<std::vector<allowlist::Entry>> measured_entries(const std::vector<std::string>& images);

// For `allowlist sign`: each entry of `update` that names an image, with its inputs one per line, so
// the signer sees what the measurement stands for. Empty when no entry names an image.
[[nodiscard]] std::string describe_measured_entries(const allowlist::Update& update);

// `allowlist verify --recompute IMAGE.toml...`: recomputes every added entry from the images and
// returns a summary line per entry; with no images, checks nothing and returns "". Errors (kind kRejected,
// exit 1): cli MEASUREMENT_MISMATCH (an entry whose measurement or label differs from the image's), cli
// NOT_RECOMPUTED (an added entry no given image accounts for); the errors of loading and measuring an image
// (kInput).
[[nodiscard]] Result<std::string> recompute_measured(const allowlist::Update& update,
                                                     const std::vector<std::string>& images);

}  // namespace snprelay::cli
