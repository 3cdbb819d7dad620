// ConfigfsTsmSource against a real temporary directory tree that emulates configfs-tsm: the
// emulator creates the attribute files on mkdir and, like the kernel, bumps `generation` and
// regenerates `outblob` on every write, so the backend's file protocol runs on real files.
#include "attest/evidence/configfs_source.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.hpp"

namespace snprelay::attest {
namespace {

namespace fs = std::filesystem;

class EmulatedTsm final : public ConfigfsFs {
 public:
  std::unique_ptr<ConfigfsFs> real = posix_configfs_fs();
  std::string provider = "sev_guest\n";
  std::uint64_t floor = 0;
  Bytes auxblob;
  int races_left = 0;  // bump generation behind the reader's back this many times
  std::vector<std::string> created;

  int make_dir(const std::string& path) override {
    if (const int err = real->make_dir(path); err != 0)
      return err;
    created.push_back(path);
    put(path + "/provider", provider);
    put(path + "/generation", "0\n");
    put(path + "/privlevel_floor", std::to_string(floor) + "\n");
    put(path + "/privlevel", "");
    put(path + "/inblob", "");
    put(path + "/outblob", "");
    put(path + "/auxblob", std::string(auxblob.begin(), auxblob.end()));
    return 0;
  }
  int remove_dir(const std::string& path) override {
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(path, ec))
      fs::remove(f.path(), ec);
    return real->remove_dir(path);
  }
  int write_file(const std::string& path, std::span<const std::uint8_t> data) override {
    const std::string dir = fs::path(path).parent_path().string();
    const std::string name = fs::path(path).filename().string();
    if (name == "inblob" && data.size() != 64)
      return EINVAL;  // the SEV provider wants exactly 64
    if (const int err = real->write_file(path, data); err != 0)
      return err;
    bump(dir);
    if (name == "inblob") {
      // The "firmware": a 1184-byte report with REPORT_DATA (offset 0x50) = inblob, VMPL at 0x30.
      std::string report(1184, '\0');
      std::copy(data.begin(), data.end(), report.begin() + 0x50);
      report[0x30] =
          static_cast<char>(std::stoi(get(dir + "/privlevel").empty() ? "0" : get(dir + "/privlevel")));
      put(dir + "/outblob", report);
    }
    return 0;
  }
  int read_file(const std::string& path, Bytes& out) override {
    const int err = real->read_file(path, out);
    if (err == 0 && fs::path(path).filename() == "outblob" && races_left > 0) {
      --races_left;
      bump(fs::path(path).parent_path().string());
    }
    return err;
  }
  bool is_dir(const std::string& path) override { return real->is_dir(path); }
  int writable_error = 0;  // what check_writable answers
  int check_writable(const std::string&) override { return writable_error; }

 private:
  static void put(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  static std::string get(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  static void bump(const std::string& dir) {
    put(dir + "/generation", std::to_string(std::stoull(get(dir + "/generation")) + 1) + "\n");
  }
};

class ConfigfsTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::string root = dir.file("tsm/report");
  EmulatedTsm* emu = nullptr;
  std::array<std::uint8_t, 64> data{};

  void SetUp() override {
    fs::create_directories(root);
    for (std::size_t i = 0; i < data.size(); ++i)
      data[i] = static_cast<std::uint8_t>(0xC0 ^ i);
  }
  std::unique_ptr<ConfigfsTsmSource> open(int max_attempts = 3) {
    auto e = std::make_unique<EmulatedTsm>();
    emu = e.get();
    ConfigfsOptions o;
    o.root = root;
    o.max_attempts = max_attempts;
    auto s = ConfigfsTsmSource::open(o, std::move(e));
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
  }
  bool root_is_empty() const { return fs::is_empty(root); }
};

TEST_F(ConfigfsTest, ReportCarriesInblobAndEntryIsRemoved) {
  auto src = open();
  emu->auxblob = serialize_cert_table({{guid_of(CertKind::kVcek), CertKind::kVcek, Bytes(700, 0x42)}});
  auto ev = src->get_report(data, 0);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  ASSERT_EQ(ev->report.size(), 1184u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), ev->report.begin() + 0x50));
  ASSERT_EQ(ev->certs.size(), 1u);
  EXPECT_EQ(ev->certs[0].kind, CertKind::kVcek);
  EXPECT_EQ(emu->created.size(), 1u);
  EXPECT_TRUE(root_is_empty());
  EXPECT_EQ(src->describe().backend, "configfs-tsm");
}

TEST_F(ConfigfsTest, PrivlevelIsWritten) {
  auto src = open();
  auto ev = src->get_report(data, 2);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  EXPECT_EQ(ev->report[0x30], 2);
}

TEST_F(ConfigfsTest, EmptyAuxblobMeansNoCertificates) {
  auto ev = open()->get_report(data, 0);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  EXPECT_TRUE(ev->certs.empty());
}

TEST_F(ConfigfsTest, VmplBelowFloorIsRefused) {
  auto src = open();
  emu->floor = 2;
  auto ev = src->get_report(data, 1);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "BAD_REQUEST");
  EXPECT_NE(ev.error().message.find("privlevel_floor 2"), std::string::npos);
  EXPECT_TRUE(root_is_empty());
}

TEST_F(ConfigfsTest, OtherProviderIsNotAnSnpGuest) {
  auto src = open();
  emu->provider = "tdx_guest\n";
  auto ev = src->get_report(data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "NOT_SNP_GUEST");
  EXPECT_NE(ev.error().message.find("tdx_guest"), std::string::npos);
  EXPECT_TRUE(root_is_empty());
}

TEST_F(ConfigfsTest, RaceIsDetectedAndRetried) {
  auto src = open();
  emu->races_left = 1;
  auto ev = src->get_report(data, 0);
  ASSERT_TRUE(ev.ok()) << ev.error().to_string();
  EXPECT_EQ(emu->created.size(), 2u);  // the raced entry was discarded, a fresh one used
  EXPECT_TRUE(root_is_empty());
}

TEST_F(ConfigfsTest, PersistentRaceFails) {
  auto src = open(3);
  emu->races_left = 10;
  auto ev = src->get_report(data, 0);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, "RACE");
  EXPECT_EQ(emu->created.size(), 3u);
  EXPECT_TRUE(root_is_empty());
}

TEST_F(ConfigfsTest, NoKeyInterface) {
  auto key = open()->derive_key({});
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, "UNSUPPORTED");
}

TEST(ConfigfsOpen, MissingRootExplainsKernelOption) {
  ConfigfsOptions o;
  o.root = "/nonexistent/tsm/report";
  auto s = ConfigfsTsmSource::open(o, posix_configfs_fs());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "DEVICE_MISSING");
  EXPECT_NE(s.error().message.find("CONFIG_TSM_REPORTS"), std::string::npos);
}

TEST(ConfigfsOpen, ReadOnlyRootIsRefusedAtOpen) {
  testing::TempDir dir;
  const std::string root = dir.file("tsm/report");
  fs::create_directories(root);
  for (const int err : {EROFS, EACCES}) {
    auto e = std::make_unique<EmulatedTsm>();
    e->writable_error = err;
    ConfigfsOptions o;
    o.root = root;
    auto s = ConfigfsTsmSource::open(o, std::move(e));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, err == EACCES ? "PERMISSION_DENIED" : "IO");
    EXPECT_NE(s.error().message.find(root), std::string::npos) << s.error().message;
  }
}

}  // namespace
}  // namespace snprelay::attest
