// allowlist_sync_child DB N ENTRIES: syncs a deterministic chain of N signed updates of ENTRIES entries
// each (tests/unit/allowlist/fixtures.hpp chain_of) into DB, two updates per page. Exit 0 when the
// copy reached version N without an alarm, 1 otherwise. The kill -9 test runs it and kills it mid-sync.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/unit/allowlist/fixtures.hpp"

int main(int argc, char** argv) {
  using namespace snprelay::allowlist;
  if (argc != 4) {
    std::fprintf(stderr, "usage: allowlist_sync_child DB N ENTRIES\n");
    return 2;
  }
  const auto n = std::strtoull(argv[2], nullptr, 10);
  const auto per = std::strtoull(argv[3], nullptr, 10);
  testing::ScriptedSource source;
  source.records = testing::chain_of(n, per);
  source.chain_signers = testing::gov_set();
  auto store = Store::open(argv[1], testing::kChainId, testing::gov_set());
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
    return 1;
  }
  auto r = sync(*store, source, SyncOptions{2, 100000});
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
    return 1;
  }
  if (r->alarm) {
    std::fprintf(stderr, "alarm %s: %s\n", r->alarm->code.c_str(), r->alarm->message.c_str());
    return 1;
  }
  std::printf("version %llu applied %zu\n", static_cast<unsigned long long>(store->tip().version),
              r->applied);
  return store->tip().version == n ? 0 : 1;
}
