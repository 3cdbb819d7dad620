// `snprelay sim kds` and `snprelay fetch` from the command line alone, as an operator runs them:
// the stand-in in a child process on a port it picks, the fetches through the real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../../unit/temp_dir.hpp"
#include "../background_process.hpp"
#include "../run_process.hpp"
#include "attest/kds/http_fetcher.hpp"
#include "common/hex.hpp"

namespace snprelay {
namespace {

namespace fs = std::filesystem;
const std::string kBin = SNPRELAY_BIN;
const std::string kData = SNPRELAY_TEST_DATA;

class CliFetchTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::unique_ptr<testing::BackgroundProcess> kds;
  std::string base;

  void SetUp() override {
    fs::create_directories(dir.path() / "kds/vcek/Milan");
    fs::copy_file(kData + "/snp/ask_ark_milan.pem", dir.path() / "kds/vcek/Milan/cert_chain.pem");
    kds = std::make_unique<testing::BackgroundProcess>(std::vector<std::string>{
        kBin, "sim", "kds", "--listen", "127.0.0.1:0", "--serve-dir", (dir.path() / "kds").string()});
    auto line = kds->read_line();
    ASSERT_TRUE(line.has_value());
    ASSERT_EQ(line->rfind("listening on 127.0.0.1:", 0), 0u) << *line;
    base = "http://" + line->substr(std::string("listening on ").size());
  }
  testing::ProcessResult fetch(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {kBin, "fetch"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const std::string& a :
         std::vector<std::string>{"--kds", base + "/vcek/v1", "--cache", dir.file("cache")}) {
      args.push_back(a);
    }
    return testing::run_process(args);
  }
  nlohmann::json stats() {
    attest::HttpFetcher fetcher({});
    auto body = fetcher.fetch(base + "/_stats");
    EXPECT_TRUE(body.ok());
    return body.ok() ? nlohmann::json::parse(std::string(body->begin(), body->end())) : nlohmann::json();
  }
};

TEST_F(CliFetchTest, SecondFetchIsServedFromCache) {
  auto first = fetch({"chain", "--product", "Milan", "--out", dir.file("a.pem")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("(fetched)"), std::string::npos) << first.err;
  auto second = fetch({"chain", "--product", "Milan", "--out", dir.file("b.pem")});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("(cache hit)"), std::string::npos) << second.err;
  EXPECT_EQ(*read_file(dir.file("a.pem")), *read_file(kData + "/snp/ask_ark_milan.pem"));
  EXPECT_EQ(*read_file(dir.file("b.pem")), *read_file(dir.file("a.pem")));
  EXPECT_EQ(stats()["requests"], 1);  // the server saw one request, not two
}

TEST_F(CliFetchTest, UnknownVcekIsRuntimeFailure) {
  auto r = fetch({"vcek", "--product", "Milan", "--report", kData + "/snp/milan_v2_go_attestation.bin",
                  "--out", dir.file("v.der")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("HTTP 404"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("v.der")));
}

TEST_F(CliFetchTest, InputErrorsExit2) {
  EXPECT_EQ(fetch({"vcek", "--product", "Milan", "--out", dir.file("v")}).exit_code, 2);  // no --report
  auto v2 = fetch({"vcek", "--report", kData + "/snp/milan_v2_go_attestation.bin", "--out", dir.file("v")});
  EXPECT_EQ(v2.exit_code, 2);  // a v2 report does not name its product
  EXPECT_NE(v2.err.find("--product"), std::string::npos);
  EXPECT_EQ(fetch({"chain", "--product", "Rome", "--out", dir.file("v")}).exit_code, 2);
  EXPECT_EQ(
      fetch({"chain", "--product", "Milan", "--report", "/nonexistent", "--out", dir.file("v")}).exit_code,
      2);
}

TEST_F(CliFetchTest, RateLimitFlagTakesPerSecondForm) {
  testing::BackgroundProcess limited({kBin, "sim", "kds", "--listen", "127.0.0.1:0", "--serve-dir",
                                      (dir.path() / "kds").string(), "--rate-limit", "2/s"});
  auto line = limited.read_line();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->rfind("listening on", 0), 0u);
  auto bad = testing::run_process(
      {kBin, "sim", "kds", "--serve-dir", (dir.path() / "kds").string(), "--rate-limit", "fast"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--rate-limit must be N or N/s"), std::string::npos) << bad.err;
}

TEST_F(CliFetchTest, StandInListensOnLoopbackOnly) {
  for (const char* listen : {"0.0.0.0:0", ":::0", "192.0.2.1:0"}) {
    auto r = testing::run_process(
        {kBin, "sim", "kds", "--listen", listen, "--serve-dir", (dir.path() / "kds").string()});
    EXPECT_EQ(r.exit_code, 2) << listen;
    EXPECT_NE(r.err.find("loopback only"), std::string::npos) << listen << ": " << r.err;
  }
}

TEST_F(CliFetchTest, StandInServesNoSymlink) {
  attest::HttpFetcher fetcher({});
  ASSERT_TRUE(fetcher.fetch(base + "/vcek/v1/Milan/cert_chain").ok());
  // The same chain, now a symbolic link to a file outside the served directory: not served.
  std::ofstream(dir.file("outside.pem")) << "not for the network";
  fs::remove(dir.path() / "kds/vcek/Milan/cert_chain.pem");
  fs::create_symlink(dir.file("outside.pem"), dir.path() / "kds/vcek/Milan/cert_chain.pem");
  auto linked = fetcher.fetch(base + "/vcek/v1/Milan/cert_chain");
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.error().message.find("404"), std::string::npos) << linked.error().message;
}

TEST_F(CliFetchTest, ProcessWritesNoCoreFile) {
  // main() protects every snprelay process before any secret can be read: RLIMIT_CORE 0, soft and hard.
  std::ifstream limits("/proc/" + std::to_string(kds->pid()) + "/limits");
  std::string line;
  while (std::getline(limits, line) && line.rfind("Max core file size", 0) != 0) {
  }
  std::istringstream fields(line.substr(std::string("Max core file size").size()));
  std::string soft;
  std::string hard;
  fields >> soft >> hard;
  EXPECT_EQ(soft, "0") << line;
  EXPECT_EQ(hard, "0") << line;
}

TEST_F(CliFetchTest, StandInStopsCleanlyOnSigterm) {
  EXPECT_EQ(kds->stop(), 0);
}

}  // namespace
}  // namespace snprelay
