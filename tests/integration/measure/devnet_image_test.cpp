// Issue #25 end to end on a real snpattestd devnet: from an image description to an attested validator.
// Governance adds the measurement the image computes (`allowlist new --from-chain --add-measured`), two
// of the three devnet signers sign (each shown the image's inputs), `verify --recompute` checks the update
// against the description, the update is submitted; the devnet's simulated firmware is launched with the
// same description (`sim launch`), and the operator's attestation from it is accepted (ATTESTED) with the
// computed measurement. A second devnet takes its first allowlist from the image itself: its simulated
// firmware is launched with the description before `snpattestd devnet init`, which reads the launched
// image's measurement into the genesis, and the relayer's attestation from that firmware is accepted.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/onchain/onchain_env.hpp"
#include "tests/unit/measure/firmware_builder.hpp"

namespace snprelay::testing {
namespace {

using nlohmann::json;

class DevnetImage : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }
  void start(const std::string& sim_image) {
    net_ = std::make_unique<Devnet>(SNPATTESTD_BIN, SNPRELAY_BIN,
                                    DevnetOptions{1, "snpdev-img", "500ms", 10, sim_image});
    ASSERT_TRUE(net_->error().empty()) << net_->error();
    keyring_ = (net_->dir() / "keyring").string();
    node_ = net_->rpc().at(0);
    const json& v = net_->info().at("validators").at(0);
    operator_ = v.at("operator").get<std::string>();
    relayer_ = v.at("relayer").get<std::string>();
    import("operator", v.at("operator_mnemonic").get<std::string>());
    import("relayer", v.at("relayer_mnemonic").get<std::string>());
    for (const auto& s : net_->info().at("signers"))
      import(s.at("key_id").get<std::string>(), s.at("mnemonic").get<std::string>());
  }

  std::string file(const std::string& name) const { return (net_->dir() / name).string(); }
  ProcessResult cli(std::vector<std::string> args) const { return snprelay(std::move(args), keyring_); }
  void import(const std::string& name, const std::string& mnemonic) const {
    auto r = cli({"keys", "add", name, "--recover", "--mnemonic-file", mnemonic});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::string path = file(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  // A direct-boot image description (firmware and kernel written into `dir`) and its path.
  std::string write_image(const std::filesystem::path& dir) const {
    const auto fw = build_firmware(FirmwareSpec{});
    const auto put = [&](const std::string& name, const std::string& text) {
      std::ofstream((dir / name).string(), std::ios::binary) << text;
      return (dir / name).string();
    };
    const std::string ovmf = put("OVMF.fd", std::string(fw.begin(), fw.end()));
    const std::string kernel = put("vmlinuz", std::string(40000, 'k'));
    return put("validator.toml",
               "name = \"validator-2026.12\"\n[firmware]\nfile = \"OVMF.fd\"\nsha256 = \"" + sha256(ovmf) +
                   "\"\n[kernel]\nfile = \"vmlinuz\"\nsha256 = \"" + sha256(kernel) +
                   "\"\ncmdline = \"console=ttyS0\"\n[launch]\nvcpus = 4\nvcpu_type = \"EPYC-Milan\"\n");
  }
  std::string sha256(const std::string& path) const {
    return run_process({"/usr/bin/sha256sum", path}).out.substr(0, 64);
  }

  // The operator's relayer, registered, submits the next epoch's report from the simulated firmware;
  // returns the measurement the report carries (the chain then holds the operator's status).
  std::string attest_next_epoch() const {
    const std::string report = attest_by_hand(*net_, node_, keyring_, operator_, relayer_, file("attest"));
    auto read = cli({"allowlist", "measure", report, "--json"});
    return read.exit_code == 0 ? json_of(read).value("measurement", "") : "";
  }

  std::unique_ptr<Devnet> net_;
  std::string keyring_, node_, operator_, relayer_;
};

TEST_F(DevnetImage, AllowlistFromImageAttestedBySimulatedFirmwareLaunchedWithIt) {
  const std::string image = write_image(net_->dir());
  const std::string kernel = file("vmlinuz");
  auto computed = cli({"allowlist", "measure", "--image", image, "--json"});
  ASSERT_EQ(computed.exit_code, 0) << computed.err;
  const std::string m = json_of(computed)["measurement"];

  // Governance: the update adds what the image computes; each signer sees the image's inputs.
  auto made = cli({"allowlist", "new", "--from-chain", "--node", node_, "--add-measured", image, "-o",
                   file("update.bin"), "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::vector<std::string> combine = {"allowlist", "combine", file("update.bin")};
  for (int i = 0; i < 2; ++i) {
    const std::string id = net_->info().at("signers").at(i).at("key_id");
    auto s = cli({"allowlist", "sign", file("update.bin"), "--key", id, "-o", file(id + ".sig.json")});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    EXPECT_NE(s.err.find("image \"validator-2026.12\" -> " + m), std::string::npos) << s.err;
    EXPECT_NE(s.err.find("    kernel sha256 " + sha256(kernel)), std::string::npos) << s.err;
    combine.push_back(file(id + ".sig.json"));
  }
  const std::string manifest = (net_->dir() / "home" / "devnet.json").string();
  std::vector<std::string> verify = {"allowlist", "verify"};
  verify.insert(verify.end(), combine.begin() + 2, combine.end());
  verify.insert(verify.end(), {"--signers", manifest, "--recompute", image});
  auto recomputed = cli(verify);
  ASSERT_EQ(recomputed.exit_code, 0) << recomputed.out << recomputed.err;
  EXPECT_NE(recomputed.out.find("recomputed image \"validator-2026.12\""), std::string::npos)
      << recomputed.out;
  combine.insert(combine.end(), {"-o", file("msg.json")});
  ASSERT_EQ(cli(combine).exit_code, 0);
  auto applied = cli({"allowlist", "submit", file("msg.json"), "--from", "relayer", "--node", node_,
                      "--poll-interval", "0.2", "--json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err << net_->log_tail(1500);
  const json allowlist = query_snpattest({"allowlist"}, node_, keyring_);
  bool listed = false;
  for (const auto& e : allowlist["entries"])
    listed = listed || e["measurement"] == m;
  EXPECT_TRUE(listed) << allowlist.dump();

  // The validator's VM: the devnet's simulated firmware, launched with the same description.
  auto launched = cli({"sim", "launch", "--sim-state", net_->sim_state(), "--image", image});
  ASSERT_EQ(launched.exit_code, 0) << launched.err;
  EXPECT_EQ(attest_next_epoch(), m);
  EXPECT_EQ(query_snpattest({"status", operator_}, node_, keyring_)["status"], "ATTESTED");
}

// The genesis variant (issue 25, point 4): no governance step at all — the devnet's first allowlist is
// the image's computed measurement, and the firmware launched with the same description is attested.
class DevnetImageGenesis : public DevnetImage {
 protected:
  void SetUp() override {}
};

TEST_F(DevnetImageGenesis, FirstAllowlistFromTheImageAttestedByTheFirmwareLaunchedWithIt) {
  TempDir images("snprelay-image");
  const std::string image = write_image(images.path());
  auto computed = snprelay({"allowlist", "measure", "--image", image, "--json"});
  ASSERT_EQ(computed.exit_code, 0) << computed.err;
  const std::string m = json_of(computed)["measurement"];
  start(image);
  if (HasFatalFailure())
    return;
  const json allowlist = query_snpattest({"allowlist"}, node_, keyring_);
  ASSERT_EQ(allowlist["entries"].size(), 1U) << allowlist.dump();
  EXPECT_EQ(allowlist["entries"][0]["measurement"], m);
  EXPECT_EQ(allowlist["version"], 1);
  EXPECT_EQ(attest_next_epoch(), m);
  EXPECT_EQ(query_snpattest({"status", operator_}, node_, keyring_)["status"], "ATTESTED");
}

}  // namespace
}  // namespace snprelay::testing
