// Sync: page the chain's AllowlistUpdates into the Store, in order, refusing anything the pinned
// governance keys did not sign.
//
// UpdateSource is the narrow seam to the chain (DESIGN.md §1): allowlist/ never talks HTTP itself.
// ChainUpdateSource is the production adapter over chain::rpc::ChainClient (abci_query, with the
// client's failover); tests hand in their own UpdateSource.
//
// sync(store, source, options) loop:
//   1. page = source.updates(from, limit) with from = max(1, tip.version): the page starts AT the
//      applied version, so the node must still hold what we hold;
//   2. every record at or below the tip is compared with the stored copy: the same bytes are skipped;
//      another update under an applied version is a FORK (the stored copy is kept); a node that no
//      longer has our tip version (the page starts above it, or is empty) is a ROLLBACK;
//   3. the next records are applied one by one (Store::apply, one transaction each), so a crash at any
//      instant leaves a prefix applied and the next sync resumes after it;
//   4. until a page brings nothing new.
// Every refusal stops the sync with the store at the last good version and is returned as an Alarm (a
// value: the caller turns it into a log line, a metric and health "degraded"), never as an Error. An
// Error means the chain could not be asked (transport, every endpoint failing, an undecodable reply)
// or the database failed; what was applied before stays applied.
// When the chain's signer set (Query/AllowlistSigners, asked once per sync) differs from the pinned
// one, SyncReport::chain_signers_differ says so and the pinned set stays in force; a refusal caused by
// signatures then carries the code SIGNER_SET_MISMATCH.
//
// Thread-safety: sync uses the Store and the source from the calling thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "allowlist/store.hpp"
#include "allowlist/types.hpp"
#include "common/error.hpp"

namespace snprelay::chain::rpc {
class ChainClient;
}

namespace snprelay::allowlist {

// What sync needs from the chain.
class UpdateSource {
 public:
  virtual ~UpdateSource() = default;
  // Query/AllowlistUpdates: up to `limit` records with version >= from_version, in version order.
  [[nodiscard]] virtual Result<std::vector<UpdateRecord>> updates(std::uint64_t from_version,
                                                                  std::uint32_t limit) = 0;
  // Query/AllowlistSigners: the chain's current set (nullopt when the source cannot tell).
  [[nodiscard]] virtual Result<std::optional<SignerSet>> signers() = 0;
};

// The production source: abci_query on "/snpattest.v1.Query/AllowlistUpdates" and ".../AllowlistSigners"
// through `client` (not owned; it must outlive this object). A non-zero abci code is an Error
// "allowlist QUERY_FAILED" (kind kUnavailable) naming the codespace, code and log.
class ChainUpdateSource final : public UpdateSource {
 public:
  explicit ChainUpdateSource(chain::rpc::ChainClient& client) : client_(client) {}
  [[nodiscard]] Result<std::vector<UpdateRecord>> updates(std::uint64_t from_version,
                                                          std::uint32_t limit) override;
  [[nodiscard]] Result<std::optional<SignerSet>> signers() override;

 private:
  chain::rpc::ChainClient& client_;
};

// A refused update: the stable code (GAP, ROLLBACK, FORK, WRONG_CHAIN, EXPIRED, BELOW_THRESHOLD,
// UNKNOWN_SIGNER, BAD_PREV_HASH, MALFORMED_UPDATE, SIGNER_SET_MISMATCH), the version concerned and a
// message; for a FORK also the two hashes.
struct Alarm {
  std::string code;
  std::uint64_t version = 0;
  std::string message;
  UpdateHash stored_hash{};
  UpdateHash served_hash{};
};

struct SyncOptions {
  std::uint32_t page_limit = 100;  // PROTOCOL.md caps a page at 100; at least 2 (the tip + one)
  std::uint32_t max_pages = 1000;  // bound on one sync call; the next call continues
};

struct SyncReport {
  std::uint64_t from_version = 0;  // the tip before
  std::uint64_t to_version = 0;    // the tip after
  std::size_t applied = 0;
  std::optional<Alarm> alarm;  // set when a refusal stopped the sync
  bool chain_signers_differ = false;
};

// The loop above. Errors: the source's errors (unchanged), db errors.
[[nodiscard]] Result<SyncReport> sync(Store& store, UpdateSource& source, const SyncOptions& options = {});

}  // namespace snprelay::allowlist
