// The self-check: the chain's verification rules run locally on a report before it is broadcast
// (DESIGN.md §2 step 5), so that a report the chain would reject is never sent.
//
// The chain (onchain/x/snpattest/verify) applies its Params (report versions, products, VMPLs, SMT,
// VLEK, debug, simulated roots), the allowlist's minimum TCB for the product the VCEK's chain proves,
// the allowlist entry of the measurement and its constraints, and the binding. Here the same inputs
// drive attest::Verifier (everything but the allowlist) and allowlist::check_report (the entry), and
// the failures are merged in the chain's check order (attest::FailureCode order), so the first one is
// the code the chain would answer with.
//
//   parse_chain_params()  the JSON of `query snpattest params` (chain/rpc/snpattest_queries.hpp) ->
//                         ChainParams. Errors: app BAD_CHAIN_PARAMS (kUnavailable: the node answered
//                         something this relayer cannot read; another node may answer well).
//   query_chain_params()  Query/Params through a ChainClient, then parse_chain_params.
//   self_check_trust()    AMD's compiled-in roots; the chain's simulated ARK (and ASK, as an
//                         intermediate) only when `hardware_mode` is not "require" — DESIGN.md §8: a
//                         simulated root is never trusted in require mode, whatever the chain says.
//                         Errors: app BAD_CHAIN_PARAMS when a simulated root is not a certificate.
//   self_check()          the verdict. Never an Error: a report that cannot even be parsed is a failure
//                         (SIZE_INVALID ...), as on chain.
//
// Thread-safety: pure functions over their arguments; self_check may run on several threads with one
// shared Verifier (attest::Verifier::verify is const and thread-safe) and one Index snapshot.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "allowlist/lookup.hpp"
#include "attest/verify.hpp"
#include "chain/rpc/types.hpp"
#include "common/error.hpp"
#include "config/config.hpp"

namespace snprelay::app {

// The snpattest.v1 Params the relayer needs (PROTOCOL.md "Params").
struct ChainParams {
  std::uint64_t epoch_blocks = 0;
  std::uint64_t submit_window_blocks = 0;
  bool accept_previous_epoch = false;
  std::vector<std::uint32_t> allowed_report_versions;
  std::vector<attest::Product> allowed_products;
  std::vector<std::uint32_t> allowed_vmpls;
  bool allow_smt = false;
  bool allow_vlek = false;
  bool allow_debug = false;
  std::uint64_t max_vcek_bytes = 0;
  std::vector<Bytes> simulated_roots;  // [ARK DER, ASK DER] on a devnet; empty on a real chain
};

// See the file comment. An unknown product name in allowed_products is an error (the relayer would
// otherwise judge reports by a narrower list than the chain).
[[nodiscard]] Result<ChainParams> parse_chain_params(std::string_view json);
[[nodiscard]] Result<ChainParams> query_chain_params(chain::rpc::ChainClient& client);

// What the Verifier of the self-check trusts.
struct SelfCheckTrust {
  attest::TrustConfig trust;
  std::vector<attest::X509Ptr> intermediates;  // the simulated ASK, when trusted
  bool simulated = false;                      // the chain's simulated roots are trusted
};
[[nodiscard]] Result<SelfCheckTrust> self_check_trust(const ChainParams& params, config::HardwareMode mode);

// One report as it would be submitted.
struct SelfCheckRequest {
  std::span<const std::uint8_t> report;
  std::span<const std::uint8_t> vcek_der;
  std::array<std::uint8_t, 64> report_data{};  // the binding the chain recomputes (binding.hpp)
  std::int64_t height = 0;                     // the chain's latest height (allowlist entry expiry)
  std::time_t at = 0;                          // the chain's latest block time (certificate validity)
};

struct SelfCheckResult {
  std::vector<attest::Failure> failures;  // in the chain's check order; empty = the chain would accept
  attest::Product product = attest::Product::kUnknown;  // the product of the VCEK's chain
  std::string entry_label;                              // the allowlist entry that matched, if any

  [[nodiscard]] bool passed() const { return failures.empty(); }
  // The first failure's stable name ("TCB_BELOW_MINIMUM"), or "" when passed.
  [[nodiscard]] std::string first_code() const;
};

// The product a VCEK/VLEK names through its issuer ("SEV-Milan", "SEV-VLEK-Genoa" -> Genoa), kUnknown
// when it names none.
[[nodiscard]] attest::Product vek_product(std::span<const std::uint8_t> vcek_der);

// The options the chain's rules amount to for a report whose VCEK chain is of `product`: versions,
// VMPLs, SMT/debug/VLEK from the params, the product forced, the binding, the allowlist's minimum TCB
// of that product. The measurement is left to allowlist::check_report.
[[nodiscard]] attest::VerifyOptions chain_verify_options(const ChainParams& params,
                                                         const allowlist::Index& index,
                                                         attest::Product product,
                                                         const std::array<std::uint8_t, 64>& report_data,
                                                         std::time_t at);

// See the file comment. `verifier` was created from self_check_trust(); `intermediates` are its
// intermediates.
[[nodiscard]] SelfCheckResult self_check(const attest::Verifier& verifier,
                                         std::span<const X509* const> intermediates,
                                         const ChainParams& params, const allowlist::Index& index,
                                         const SelfCheckRequest& request);

}  // namespace snprelay::app
