// `snprelay allowlist measure --ovmf/--image`, the allowlist workflow for measured images and `sim
// launch`, through the real binary (issue #25): every malformed input is exit 2 naming the file and the
// problem with nothing on standard output; --add-measured records the image and its inputs in the entry
// label, `sign` shows them, `verify --recompute` passes for the same image and fails (exit 1) for
// another; the simulated firmware launched with the image reports the computed measurement.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/integration/run_process.hpp"
#include "tests/unit/measure/firmware_builder.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay {
namespace {

using nlohmann::json;
using testing::ProcessResult;

std::string sha256_of(const std::string& path) {
  const auto r = testing::run_process({"/usr/bin/sha256sum", path});
  return r.out.substr(0, 64);
}

class MeasureCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fw_ = write_firmware("fw.fd", {});
    testing::FirmwareSpec plain;
    plain.kernel_hashes = false;
    plain_ = write_firmware("plain.fd", plain);
    kernel_ = write("vmlinuz", std::string(5000, 'k'));
    initrd_ = write("initrd.img", std::string(3000, 'i'));
  }

  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_.file(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string write_firmware(const std::string& name, const testing::FirmwareSpec& spec) {
    const auto b = testing::build_firmware(spec);
    return write(name, std::string(b.begin(), b.end()));
  }

  ProcessResult snprelay(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), SNPRELAY_BIN);
    return testing::run_process(args, env);
  }
  ProcessResult measure(const std::vector<std::string>& args) {
    std::vector<std::string> a = {"allowlist", "measure"};
    a.insert(a.end(), args.begin(), args.end());
    return snprelay(a);
  }
  void expect_refused(const std::vector<std::string>& args, const std::vector<std::string>& needles) {
    const auto r = measure(args);
    std::string line;
    for (const auto& a : args)
      line += a + " ";
    EXPECT_EQ(r.exit_code, 2) << line << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << line << "\n" << r.out;
    for (const auto& n : needles)
      EXPECT_NE(r.err.find(n), std::string::npos) << line << ": no \"" << n << "\" in " << r.err;
  }

  std::string image_toml(const std::string& name, const std::string& vcpus) {
    return write(name + ".toml", "name = \"" + name + "\"\n[firmware]\nfile = \"fw.fd\"\nsha256 = \"" +
                                     sha256_of(fw_) + "\"\n[kernel]\nfile = \"vmlinuz\"\nsha256 = \"" +
                                     sha256_of(kernel_) + "\"\ncmdline = \"console=ttyS0\"\n[initrd]\n" +
                                     "file = \"initrd.img\"\nsha256 = \"" + sha256_of(initrd_) +
                                     "\"\n[launch]\nvcpus = " + vcpus + "\nvcpu_type = \"EPYC-Milan\"\n");
  }

  testing::TempDir dir_{"snprelay-measure-cli"};
  std::string fw_, plain_, kernel_, initrd_;
};

TEST_F(MeasureCli, MalformedInputIsExitTwoNamingFileAndProblem) {
  const std::vector<std::string> shape = {"--vcpus", "2", "--vcpu-type", "EPYC-v4"};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), shape.begin(), shape.end());
    return a;
  };
  testing::FirmwareSpec spec;
  spec.footer_guid = false;
  const std::string no_footer = write_firmware("nofooter.fd", spec);
  expect_refused(with({"--ovmf", no_footer}), {"NO_FOOTER_TABLE", no_footer});
  spec = {};
  spec.metadata_entry = false;
  const std::string no_meta = write_firmware("nometa.fd", spec);
  expect_refused(with({"--ovmf", no_meta}), {"NO_SEV_METADATA", no_meta});
  spec = {};
  spec.signature = "ABCD";
  const std::string bad_meta = write_firmware("badmeta.fd", spec);
  expect_refused(with({"--ovmf", bad_meta}), {"BAD_SEV_METADATA", bad_meta, "ASEV"});
  expect_refused(with({"--ovmf", plain_, "--kernel", kernel_}),
                 {"NO_KERNEL_HASHES", plain_, "kernel-hashes"});
  expect_refused(with({"--ovmf", write("short.fd", "not a firmware")}), {"FIRMWARE_SIZE", "short.fd"});
  expect_refused(with({"--ovmf", dir_.file("missing.fd")}), {"missing.fd"});
  expect_refused(with({"--ovmf", fw_, "--kernel", dir_.file("missing-kernel")}), {"missing-kernel"});
  expect_refused({"--ovmf", fw_, "--vcpus", "0", "--vcpu-type", "EPYC"}, {"BAD_VCPUS", "vCPU count 0"});
  expect_refused({"--ovmf", fw_, "--vcpus", "5000", "--vcpu-type", "EPYC"}, {"BAD_VCPUS", "5000"});
  expect_refused({"--ovmf", fw_, "--vcpus", "2", "--vcpu-type", "EPYC-v9"}, {"UNKNOWN_VCPU_TYPE", "EPYC-v9"});
  expect_refused({"--ovmf", fw_, "--vcpu-type", "EPYC"}, {"--vcpus"});
  expect_refused({"--ovmf", fw_, "--vcpus", "2"}, {"--vcpu-type"});
  expect_refused({"--ovmf", fw_, "--vcpus", "2", "--vcpu-type", "EPYC", "--vcpu-sig", "0x800f12"},
                 {"exactly one"});
  expect_refused({"--ovmf", fw_, "--vcpus", "2", "--vcpu-family", "25"}, {"go together"});
  expect_refused(
      {"--ovmf", fw_, "--vcpus", "2", "--vcpu-family", "25", "--vcpu-model", "300", "--vcpu-stepping", "1"},
      {"BAD_VCPU_SIG"});
  expect_refused(with({"--ovmf", fw_, "--vmm-type", "xen"}), {"UNKNOWN_VMM", "xen"});
  expect_refused(with({"--ovmf", fw_, "--guest-features", "0x20"}), {"BAD_GUEST_FEATURES"});
  expect_refused(with({"--ovmf", fw_, "--guest-features", "zz"}), {"--guest-features"});
  expect_refused(with({"--ovmf", fw_, "--initrd", initrd_}), {"BAD_DIRECT_BOOT"});
  expect_refused(with({"--ovmf", fw_, "--append", "quiet"}), {"BAD_DIRECT_BOOT"});
  expect_refused({"--vcpus", "2"}, {"REPORT", "--ovmf"});
  expect_refused({"--image", write("broken.toml", "name = \"x\"\n[launch]\nvcpus = 1\n")}, {"broken.toml"});
}

TEST_F(MeasureCli, JsonNamesEveryInputWithItsSha256) {
  const auto r =
      measure({"--ovmf", fw_, "--kernel", kernel_, "--initrd", initrd_, "--append", "console=ttyS0",
               "--vcpus", "3", "--vcpu-type", "EPYC-Genoa", "--vmm-type", "gce", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["measurement"].get<std::string>().size(), 96u);
  EXPECT_EQ(j["inputs"]["ovmf"]["sha256"], sha256_of(fw_));
  EXPECT_EQ(j["inputs"]["kernel"]["sha256"], sha256_of(kernel_));
  EXPECT_EQ(j["inputs"]["initrd"]["sha256"], sha256_of(initrd_));
  EXPECT_EQ(j["inputs"]["cmdline"]["text"], "console=ttyS0");
  EXPECT_EQ(j["inputs"]["vcpus"], 3);
  EXPECT_EQ(j["inputs"]["vcpu_sig"], "0xa10f10");
  EXPECT_EQ(j["inputs"]["vmm_type"], "gce");
  // The text form prints the same measurement alone.
  const auto t = measure({"--ovmf", fw_, "--kernel", kernel_, "--initrd", initrd_, "--append",
                          "console=ttyS0", "--vcpus", "3", "--vcpu-type", "EPYC-Genoa", "--vmm-type", "gce"});
  EXPECT_EQ(t.out, j["measurement"].get<std::string>() + "\n");
}

TEST_F(MeasureCli, AllowlistWorkflowFromImageToRecomputedVerification) {
  const std::string image = image_toml("validator-1.0", "4");
  const auto computed = measure({"--image", image, "--json"});
  ASSERT_EQ(computed.exit_code, 0) << computed.err;
  const std::string m = json::parse(computed.out)["measurement"];
  const std::string label = json::parse(computed.out)["label"];

  auto made = snprelay({"allowlist", "new", "--chain-id", "measure-1", "--version", "1", "--add-measured",
                        image, "-o", dir_.file("u.bin"), "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const json u = json::parse(made.out);
  ASSERT_EQ(u["add"].size(), 1u) << made.out;
  EXPECT_EQ(u["add"][0]["measurement"], m);
  EXPECT_EQ(u["add"][0]["label"], label);
  EXPECT_NE(label.find("firmware sha256 " + sha256_of(fw_)), std::string::npos) << label;
  EXPECT_NE(label.find("kernel sha256 " + sha256_of(kernel_)), std::string::npos) << label;

  const std::map<std::string, std::string> env = {{"SNPRELAY_KEY_PASSPHRASE", "measure cli test"},
                                                  {"SNPRELAY_KEYRING_DIR", dir_.file("keyring")}};
  const std::string mnemonic =
      write("gov.mnemonic",
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about");
  std::filesystem::permissions(mnemonic,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto added = snprelay({"keys", "add", "gov", "--recover", "--mnemonic-file", mnemonic}, env);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const auto sig =
      snprelay({"allowlist", "sign", dir_.file("u.bin"), "--key", "gov", "-o", dir_.file("a.json")}, env);
  ASSERT_EQ(sig.exit_code, 0) << sig.err;
  // The signer is shown the image and each input before signing.
  EXPECT_NE(sig.err.find("image \"validator-1.0\" -> " + m), std::string::npos) << sig.err;
  EXPECT_NE(sig.err.find("    initrd sha256 " + sha256_of(initrd_)), std::string::npos) << sig.err;
  EXPECT_NE(sig.err.find("4 vCPUs EPYC-Milan (sig 0xa00f11), vmm QEMU"), std::string::npos) << sig.err;
  std::ifstream in(dir_.file("a.json"));
  const json a = json::parse(in);
  const std::string set = write(
      "set.json", json{{"threshold", 1}, {"signers", {{{"key_id", "gov"}, {"pubkey", a["pubkey"]}}}}}.dump());

  const auto ok = snprelay({"allowlist", "verify", dir_.file("u.bin"), dir_.file("a.json"), "--signers", set,
                            "--recompute", image});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("recomputed image \"validator-1.0\""), std::string::npos) << ok.out;

  // The same name with another shape: the update's measurement is not what the image computes.
  const std::string other = image_toml("validator-1.0", "8");
  const auto differs = snprelay({"allowlist", "verify", dir_.file("u.bin"), dir_.file("a.json"), "--signers",
                                 set, "--recompute", other});
  EXPECT_EQ(differs.exit_code, 1) << differs.err;
  EXPECT_NE(differs.err.find("MEASUREMENT_MISMATCH"), std::string::npos) << differs.err;
  // An image the update does not add, and none for the added entry.
  const auto unknown = snprelay({"allowlist", "verify", dir_.file("u.bin"), dir_.file("a.json"), "--signers",
                                 set, "--recompute", image_toml("another", "4")});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.err;
  EXPECT_NE(unknown.err.find("NOT_RECOMPUTED"), std::string::npos) << unknown.err;
}

TEST_F(MeasureCli, SimulatedFirmwareLaunchedWithTheImageReportsItsMeasurement) {
  const std::string image = image_toml("validator-1.0", "2");
  const auto computed = measure({"--image", image});
  ASSERT_EQ(computed.exit_code, 0) << computed.err;
  const std::string state = dir_.file("sim");
  const auto launched = snprelay({"sim", "launch", "--sim-state", state, "--image", image});
  ASSERT_EQ(launched.exit_code, 0) << launched.err;
  const auto got = snprelay(
      {"report", "get", "--simulate", "--sim-state", state, "--nonce", "00", "-o", dir_.file("report.bin")});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  const auto read = measure({dir_.file("report.bin"), "--json"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(json::parse(read.out)["measurement"].get<std::string>() + "\n", computed.out);
  // A launch with a description whose parts do not match is refused and changes nothing.
  std::string text;
  {
    std::ifstream in(image);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  text.replace(text.find(sha256_of(kernel_)), 64, std::string(64, '0'));
  const auto refused = snprelay({"sim", "launch", "--sim-state", state, "--image", write("bad.toml", text)});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("INPUT_MISMATCH"), std::string::npos) << refused.err;
  const auto again = snprelay(
      {"report", "get", "--simulate", "--sim-state", state, "--nonce", "01", "-o", dir_.file("report2.bin")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(
      json::parse(measure({dir_.file("report2.bin"), "--json"}).out)["measurement"].get<std::string>() + "\n",
      computed.out);
}

}  // namespace
}  // namespace snprelay
