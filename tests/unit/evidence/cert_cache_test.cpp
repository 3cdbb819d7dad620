#include "attest/kds/cert_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "../temp_dir.hpp"

namespace snprelay::attest {
namespace {

using namespace std::chrono_literals;

Status accept_all(const Bytes&) {
  return ok_status();
}

TEST(CertCache, PutGetWithPrivateModes) {
  testing::TempDir dir;
  auto cache = CertCache::open(dir.file("certs"));
  ASSERT_TRUE(cache.ok());
  const Bytes der(1500, 0x30);
  ASSERT_TRUE((*cache)->put("vcek/Milan/abcd/tcb", der).ok());
  auto got = (*cache)->get("vcek/Milan/abcd/tcb", 0s);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, der);
  EXPECT_EQ((*cache)->hits(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("certs").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((*cache)->path_of("vcek/Milan/abcd/tcb").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(CertCache, MissThenFetchThenHit) {
  testing::TempDir dir;
  auto cache = std::move(CertCache::open(dir.file("c"))).value();
  int fetches = 0;
  auto fetch = [&]() -> Result<Bytes> {
    ++fetches;
    return Bytes{1, 2, 3};
  };
  EXPECT_EQ(*cache->get_or_fetch("k", 0s, fetch, accept_all), (Bytes{1, 2, 3}));
  EXPECT_EQ(*cache->get_or_fetch("k", 0s, fetch, accept_all), (Bytes{1, 2, 3}));
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(cache->misses(), 1u);
  EXPECT_EQ(cache->hits(), 1u);
}

TEST(CertCache, CorruptEntryIsRefetched) {
  testing::TempDir dir;
  auto cache = std::move(CertCache::open(dir.file("c"))).value();
  ASSERT_TRUE(cache->put("k", Bytes(100, 7)).ok());
  {
    std::fstream f(cache->path_of("k"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('X');  // flip the last payload byte
  }
  int fetches = 0;
  auto got = cache->get_or_fetch(
      "k", 0s,
      [&]() -> Result<Bytes> {
        ++fetches;
        return Bytes(100, 7);
      },
      accept_all);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Bytes(100, 7));
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(cache->corrupt(), 1u);
  EXPECT_TRUE(cache->get("k", 0s).has_value());  // the refetched entry replaced the corrupt one
}

TEST(CertCache, IntactEntryThatFailsValidationIsRefetched) {
  // A well-formed entry (checksum right) holding bytes the key must not hold: checked like a fetch.
  testing::TempDir dir;
  auto cache = std::move(CertCache::open(dir.file("c"))).value();
  ASSERT_TRUE(cache->put("k", Bytes{6, 6, 6}).ok());
  int fetches = 0;
  const auto only_sevens = [](const Bytes& b) -> Status {
    return b == Bytes{7, 7, 7} ? ok_status() : make_error("attest", "VCEK_MISMATCH", "not this chip's");
  };
  auto got = cache->get_or_fetch(
      "k", 0s,
      [&]() -> Result<Bytes> {
        ++fetches;
        return Bytes{7, 7, 7};
      },
      only_sevens);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, (Bytes{7, 7, 7}));
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(cache->corrupt(), 1u);
  EXPECT_EQ(cache->hits(), 0u);
  EXPECT_EQ(*cache->get("k", 0s), (Bytes{7, 7, 7}));  // replaced on disk
}

TEST(CertCache, TruncatedHeaderIsCorrupt) {
  testing::TempDir dir;
  auto cache = std::move(CertCache::open(dir.file("c"))).value();
  std::ofstream(cache->path_of("k")) << "garbage";
  EXPECT_FALSE(cache->get("k", 0s).has_value());
  EXPECT_EQ(cache->corrupt(), 1u);
}

TEST(CertCache, InvalidFetchIsNotStored) {
  testing::TempDir dir;
  auto cache = std::move(CertCache::open(dir.file("c"))).value();
  auto got = cache->get_or_fetch(
      "k", 0s, []() -> Result<Bytes> { return Bytes{9}; },
      [](const Bytes&) -> Status { return make_error("attest", "VCEK_MISMATCH", "wrong hwID"); });
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, "VCEK_MISMATCH");
  EXPECT_FALSE(cache->get("k", 0s).has_value());
}

TEST(CertCache, TtlExpires) {
  testing::TempDir dir;
  auto cache = std::move(CertCache::open(dir.file("c"))).value();
  ASSERT_TRUE(cache->put("chain", Bytes{1}).ok());
  EXPECT_TRUE(cache->get("chain", 3600s).has_value());
  // Rewrite the stored time an hour and a second into the past, keeping the checksum valid.
  std::ifstream in(cache->path_of("chain"), std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  const auto nl = text.find('\n');
  const auto sp = text.rfind(' ', nl);
  const long stored = std::stol(text.substr(sp + 1, nl - sp - 1));
  text = text.substr(0, sp + 1) + std::to_string(stored - 3601) + text.substr(nl);
  std::ofstream(cache->path_of("chain"), std::ios::binary) << text;
  EXPECT_FALSE(cache->get("chain", 3600s).has_value());
  EXPECT_TRUE(cache->get("chain", 0s).has_value());  // TTL 0: immutable entries never expire
}

TEST(CertCache, ConcurrentFetchesOfOneKeyAreDeduplicated) {
  testing::TempDir dir;
  auto cache = std::move(CertCache::open(dir.file("c"))).value();
  std::atomic<int> fetches{0};
  auto fetch = [&]() -> Result<Bytes> {
    ++fetches;
    std::this_thread::sleep_for(100ms);
    return Bytes{4, 2};
  };
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto r = cache->get_or_fetch("same", 0s, fetch, accept_all);
      if (r.ok() && *r == Bytes{4, 2})
        ++ok;
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(ok.load(), 6);
}

TEST(CertCache, UnwritableDirectoryIsAnError) {
  auto cache = CertCache::open("/proc/snprelay-cache");
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.error().code, "CACHE_IO");
}

}  // namespace
}  // namespace snprelay::attest
