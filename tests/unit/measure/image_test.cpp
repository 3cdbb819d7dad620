// Image descriptions (IMAGE.toml, attest/measure/image.hpp): what they must say, the inputs' stated
// SHA-256 checked, the label an allowlist entry records; and the simulated firmware's launched image
// (attest/sim/sim_launch.hpp).
#include "attest/measure/image.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "attest/sim/sim_launch.hpp"
#include "common/hex.hpp"
#include "tests/unit/measure/firmware_builder.hpp"
#include "tests/unit/temp_dir.hpp"

namespace snprelay::attest::measure {
namespace {

class ImageDescriptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto image = snprelay::testing::build_firmware({});
    write("fw.fd", std::string(image.begin(), image.end()));
    write("vmlinuz", "a kernel");
    write("initrd.img", "an initrd");
    fw_sha_ = to_hex(sha256(image));
    kernel_sha_ = to_hex(sha256(std::span(reinterpret_cast<const std::uint8_t*>("a kernel"), 8)));
    initrd_sha_ = to_hex(sha256(std::span(reinterpret_cast<const std::uint8_t*>("an initrd"), 9)));
  }

  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_.file(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string toml(const std::string& launch = "vcpus = 4\nvcpu_type = \"EPYC-v4\"\n") {
    return "name = \"validator-1.0\"\n[firmware]\nfile = \"fw.fd\"\nsha256 = \"" + fw_sha_ +
           "\"\n[kernel]\nfile = \"vmlinuz\"\nsha256 = \"" + kernel_sha_ +
           "\"\ncmdline = \"console=ttyS0\"\n[initrd]\nfile = \"initrd.img\"\nsha256 = \"" + initrd_sha_ +
           "\"\n[launch]\n" + launch;
  }

  // The error code of loading and measuring `text`.
  std::string code_of(const std::string& text) {
    auto d = load_image_description(write("image.toml", text));
    if (!d)
      return d.error().code;
    auto m = measure_image(*d);
    return m ? "" : m.error().code;
  }

  snprelay::testing::TempDir dir_{"snprelay-image"};
  std::string fw_sha_, kernel_sha_, initrd_sha_;
};

TEST_F(ImageDescriptionTest, MeasuresTheFilesItNamesRelativeToItself) {
  auto d = load_image_description(write("image.toml", toml()));
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->name, "validator-1.0");
  EXPECT_EQ(d->files.firmware, dir_.file("fw.fd"));
  EXPECT_EQ(d->shape.vcpus, 4u);
  EXPECT_EQ(d->shape.vcpu_sig, 0x800f12u);
  auto m = measure_image(*d);
  ASSERT_TRUE(m) << m.error().to_string();
  // The same as measuring the files directly.
  auto direct = measure_files(d->files, d->shape);
  ASSERT_TRUE(direct);
  EXPECT_EQ(m->measurement, direct->measurement);
  const std::string label = image_label(*d, *m);
  EXPECT_EQ(label, "image \"validator-1.0\": firmware sha256 " + fw_sha_ + "; kernel sha256 " + kernel_sha_ +
                       "; initrd sha256 " + initrd_sha_ + "; cmdline sha256 " +
                       to_hex(cmdline_sha256("console=ttyS0")) +
                       "; 4 vCPUs EPYC-v4 (sig 0x800f12), vmm QEMU, guest features 0x1");
  EXPECT_EQ(image_name_of_label(label), "validator-1.0");
  EXPECT_EQ(image_name_of_label("plain label"), "");
}

TEST_F(ImageDescriptionTest, APartThatIsNotTheStatedOneIsRefused) {
  std::string text = toml();
  text.replace(text.find(kernel_sha_), kernel_sha_.size(), std::string(64, 'a'));
  auto d = load_image_description(write("image.toml", text));
  ASSERT_TRUE(d);
  auto m = measure_image(*d);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "INPUT_MISMATCH");
  EXPECT_NE(m.error().message.find("vmlinuz"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find(kernel_sha_), std::string::npos) << m.error().message;
}

TEST_F(ImageDescriptionTest, BadDescriptionsNameTheProblem) {
  EXPECT_EQ(code_of("name = \n"), "BAD_IMAGE");
  EXPECT_EQ(code_of(toml() + "colour = \"blue\"\n"), "BAD_IMAGE");                           // unknown key
  EXPECT_EQ(code_of(toml("vcpus = 4\n")), "BAD_IMAGE");                                      // no vCPU type
  EXPECT_EQ(code_of(toml("vcpus = 4\nvcpu_type = \"EPYC\"\nvcpu_sig = 1\n")), "BAD_IMAGE");  // two
  EXPECT_EQ(code_of(toml("vcpus = 0\nvcpu_type = \"EPYC\"\n")), "BAD_IMAGE");
  EXPECT_EQ(code_of(toml("vcpus = 2\nvcpu_type = \"Pentium\"\n")), "BAD_IMAGE");
  EXPECT_EQ(code_of(toml("vcpus = 2\nvcpu_type = \"EPYC\"\nvmm = \"xen\"\n")), "BAD_IMAGE");
  EXPECT_EQ(code_of(toml("vcpus = -2\nvcpu_type = \"EPYC\"\n")), "BAD_IMAGE");
  std::string no_sha = toml();
  no_sha.replace(no_sha.find(fw_sha_), fw_sha_.size(), "12");
  EXPECT_EQ(code_of(no_sha), "BAD_IMAGE");
  std::string bad_name = toml();
  bad_name.replace(0, bad_name.find('\n'), "name = \"a\\\"b\"");
  EXPECT_EQ(code_of(bad_name), "BAD_IMAGE");
  EXPECT_EQ(code_of(toml("vcpus = 2\nvcpu_family = 25\nvcpu_model = 1\nvcpu_stepping = 1\n")), "");
  EXPECT_EQ(code_of(toml("vcpus = 2\nvcpu_family = 25\n")), "BAD_IMAGE");
  auto missing = load_image_description(dir_.file("none.toml"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("none.toml"), std::string::npos);
}

TEST(SimLaunch, TheLaunchedImageIsKeptInTheStateDirectory) {
  snprelay::testing::TempDir dir("snprelay-sim-launch");
  const std::string state = dir.file("state");
  auto none = read_launched_image(state);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  attest::LaunchedImage image;
  image.measurement.fill(0xab);
  image.label = "image \"x\": firmware sha256 00";
  ASSERT_TRUE(record_launched_image(state, image));
  auto back = read_launched_image(state);
  ASSERT_TRUE(back && back->has_value());
  EXPECT_EQ((*back)->measurement, image.measurement);
  EXPECT_EQ((*back)->label, image.label);
  std::ofstream(state + "/launched_image") << "zz\n";
  auto broken = read_launched_image(state);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, "SIM_STATE");
}

}  // namespace
}  // namespace snprelay::attest::measure
