// KdsClient end to end over loopback: the stand-in serves AMD's real Milan VCEK and chain from a
// directory; the client builds the URL from the real go-sev-guest report, validates the answer,
// caches it, and serves the second request from the cache without any new request.
#include "attest/kds/kds_client.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../../unit/temp_dir.hpp"
#include "attest/report.hpp"
#include "attest/sim/kds_server.hpp"

namespace snprelay::attest {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kData = SNPRELAY_TEST_DATA;

class KdsClientTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  Report report;
  TcbParts tcb;
  std::unique_ptr<KdsServer> server;
  std::shared_ptr<HttpFetcher> fetcher;

  void SetUp() override {
    auto raw = read_file(kData + "/snp/milan_v2_go_attestation.bin");
    ASSERT_TRUE(raw.ok());
    auto parsed = parse_report(*raw);
    ASSERT_TRUE(parsed.ok());
    report = *parsed;
    tcb = decode_tcb(report.reported_tcb, Product::kMilan);
    serve_as_go_vcek("milan_go_vcek.der");
    fs::create_directories(dir.path() / "kds/vcek/Milan");
    fs::copy_file(kData + "/snp/ask_ark_milan.pem", dir.path() / "kds/vcek/Milan/cert_chain.pem");
    auto s = KdsServer::start({}, std::make_shared<DirectoryStore>((dir.path() / "kds").string()));
    ASSERT_TRUE(s.ok());
    server = std::move(s).value();
    HttpFetcherOptions o;
    o.timeout = 2s;
    o.max_attempts = 2;
    o.initial_backoff = 10ms;
    fetcher = std::make_shared<HttpFetcher>(o);
  }
  // Lays out `file` as the answer KDS gives for the go report's chip and TCB.
  void serve_as_go_vcek(const std::string& file) {
    KdsRequest req;
    req.product = Product::kMilan;
    req.hwid.assign(report.chip_id.begin(), report.chip_id.end());
    req.tcb = tcb;
    const std::string path = DirectoryStore((dir.path() / "kds").string()).path_for(req);
    fs::create_directories(fs::path(path).parent_path());
    fs::copy_file(kData + "/snp/" + file, path, fs::copy_options::overwrite_existing);
  }
  KdsClient client(std::shared_ptr<CertCache> cache) {
    KdsClientOptions o;
    o.base_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/vcek/v1";
    return KdsClient(o, fetcher, std::move(cache));
  }
  std::shared_ptr<CertCache> cache() {
    return std::move(CertCache::open((dir.path() / "cache").string())).value();
  }
};

TEST_F(KdsClientTest, FetchesThenServesFromCacheWithoutRequests) {
  auto c = client(cache());
  auto first = c.vcek(Product::kMilan, report.chip_id, tcb);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(*first, *read_file(kData + "/snp/milan_go_vcek.der"));
  EXPECT_EQ(server->stats().vcek, 1u);
  // A new client over the same cache directory (a restarted relayer) asks the server nothing.
  auto again = client(cache()).vcek(Product::kMilan, report.chip_id, tcb);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(server->stats().requests, 1u);
}

TEST_F(KdsClientTest, RequestCarriesReportsChipAndTcb) {
  ASSERT_TRUE(client(cache()).vcek(Product::kMilan, report.chip_id, tcb).ok());
  EXPECT_EQ(tcb.bootloader, 2);
  EXPECT_EQ(tcb.snp, 5);
  EXPECT_EQ(tcb.microcode, 68);
}

TEST_F(KdsClientTest, MismatchingVcekIsRefusedAndNotCached) {
  serve_as_go_vcek("milan_virtee_vcek.der");  // a genuine VCEK, but of another chip and TCB
  auto shared = cache();
  auto c = client(shared);
  auto r = c.vcek(Product::kMilan, report.chip_id, tcb);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "VCEK_MISMATCH");
  EXPECT_NE(r.error().message.find("hwID"), std::string::npos) << r.error().message;
  serve_as_go_vcek("milan_go_vcek.der");
  ASSERT_TRUE(c.vcek(Product::kMilan, report.chip_id, tcb).ok());  // nothing bad was cached
  EXPECT_EQ(server->stats().vcek, 2u);
}

TEST_F(KdsClientTest, WrongTcbIsRefused) {
  TcbParts other = tcb;
  other.snp = 8;
  serve_as_go_vcek("milan_go_vcek.der");
  KdsRequest req;
  req.product = Product::kMilan;
  req.hwid.assign(report.chip_id.begin(), report.chip_id.end());
  req.tcb = other;
  const std::string path = DirectoryStore((dir.path() / "kds").string()).path_for(req);
  fs::create_directories(fs::path(path).parent_path());
  fs::copy_file(kData + "/snp/milan_go_vcek.der", path);  // served for snpSPL=8, but it says 5
  auto r = client(cache()).vcek(Product::kMilan, report.chip_id, other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "VCEK_MISMATCH");
  EXPECT_NE(r.error().message.find("snpSPL 5 != 8"), std::string::npos) << r.error().message;
}

TEST_F(KdsClientTest, CorruptCacheEntryIsRefetched) {
  auto shared = cache();
  ASSERT_TRUE(client(shared).vcek(Product::kMilan, report.chip_id, tcb).ok());
  for (const auto& f : fs::directory_iterator(dir.path() / "cache")) {
    std::fstream file(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-10, std::ios::end);
    file.put('\x00');
  }
  auto again = client(shared).vcek(Product::kMilan, report.chip_id, tcb);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(shared->corrupt(), 1u);
  EXPECT_EQ(server->stats().vcek, 2u);
}

TEST_F(KdsClientTest, ChainIsFetchedValidatedAndCached) {
  auto shared = cache();
  auto c = client(shared);
  auto chain = c.chain(Product::kMilan, KdsSigner::kVcek);
  ASSERT_TRUE(chain.ok()) << chain.error().to_string();
  EXPECT_EQ(*chain, *read_file(kData + "/snp/ask_ark_milan.pem"));
  ASSERT_TRUE(c.chain(Product::kMilan, KdsSigner::kVcek).ok());
  EXPECT_EQ(server->stats().chain, 1u);
  EXPECT_EQ(shared->hits(), 1u);
}

TEST_F(KdsClientTest, FailedFetchesAreCountedAndHitsAreNot) {
  auto c = client(cache());
  // A TCB the stand-in has no certificate for: 404, a fetch that fails.
  TcbParts unknown = tcb;
  unknown.microcode = 99;
  ASSERT_FALSE(c.vcek(Product::kMilan, report.chip_id, unknown).ok());
  EXPECT_EQ(c.fetch_failures(), 1u);
  ASSERT_TRUE(c.vcek(Product::kMilan, report.chip_id, tcb).ok());  // fetched
  ASSERT_TRUE(c.vcek(Product::kMilan, report.chip_id, tcb).ok());  // from the cache
  EXPECT_EQ(c.fetch_failures(), 1u);
}

TEST_F(KdsClientTest, GarbageWith200IsRefused) {
  fs::remove(dir.path() / "kds/vcek/Milan/cert_chain.pem");
  std::ofstream(dir.path() / "kds/vcek/Milan/cert_chain.pem") << "<html>maintenance</html>";
  auto r = client(cache()).chain(Product::kMilan, KdsSigner::kVcek);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "CERT_INVALID");
}

}  // namespace
}  // namespace snprelay::attest
