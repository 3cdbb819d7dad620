// An image description (IMAGE.toml): a VM image's published parts, each with the SHA-256 its release
// states, and the launch shape it runs with. It is what governance approves, and what the simulated
// firmware can be launched "with" (attest/sim/sim_launch.hpp).
//
//   name = "validator-2026.12"           # recorded in the allowlist entry's label
//   [firmware]
//   file = "OVMF.fd"                     # a relative path is relative to the TOML file's directory
//   sha256 = "<64 hex>"
//   [kernel]                             # optional: a direct boot (the firmware needs a kernel-hashes
//   file = "vmlinuz"                     #   section)
//   sha256 = "<64 hex>"
//   cmdline = "console=ttyS0"            # optional
//   [initrd]                             # optional, only with [kernel]
//   file = "initrd.img"
//   sha256 = "<64 hex>"
//   [launch]
//   vcpus = 4
//   vcpu_type = "EPYC-v4"                # or vcpu_sig = 0x800f12, or vcpu_family/vcpu_model/vcpu_stepping
//   vmm = "QEMU"                         # QEMU (default), ec2 or gce
//   guest_features = 0x1                 # default 0x1
//
// Errors (kind kInput, naming the file and the key): measure BAD_IMAGE (a TOML syntax error, an unknown
// or missing key, a wrong type, a bad value), measure INPUT_MISMATCH (a part whose SHA-256 is not the
// one the description states), and those of measure.hpp and vcpu.hpp for the shape and the files.
#pragma once

#include <string>

#include "attest/measure/measure.hpp"

namespace snprelay::attest::measure {

struct ImageDescription {
  std::string source;  // the TOML file's path, for messages
  std::string name;
  ImageFiles files;  // resolved paths
  Digest256 firmware_sha256{};
  std::optional<Digest256> kernel_sha256, initrd_sha256;
  LaunchShape shape;
};

// Reads and checks `path` (the files it names are not read here).
[[nodiscard]] Result<ImageDescription> load_image_description(const std::string& path);

// measure_files for the description, after checking that every part has the stated SHA-256.
[[nodiscard]] Result<MeasuredImage> measure_image(const ImageDescription& image);

// The allowlist entry label of a measured image: the name, each input's SHA-256 and the launch shape,
// on one line, e.g.
//   image "validator-2026.12": firmware sha256 <hex>; kernel sha256 <hex>; initrd sha256 <hex>;
//   cmdline sha256 <hex>; 4 vCPUs EPYC-v4 (sig 0x800f12), vmm QEMU, guest features 0x1
// (the direct-boot parts only when the image has a kernel). The same description always yields the same
// label, so `allowlist verify --recompute` compares labels as well as measurements.
[[nodiscard]] std::string image_label(const ImageDescription& image, const MeasuredImage& measured);

// The name an image_label() carries, or empty when `label` is not one.
[[nodiscard]] std::string image_name_of_label(const std::string& label);

}  // namespace snprelay::attest::measure
