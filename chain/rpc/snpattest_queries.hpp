// The snpattest.v1 Query service (PROTOCOL.md "Queries") over abci_query, rendered as JSON text.
//
// Each query serializes its request protobuf, calls abci_query on "/snpattest.v1.Query/<Method>" and
// renders the response as one JSON object, so the CLI (and scripts) never see protobuf types:
//   * keys are the proto field names (snake_case), every field present, in field-number order;
//   * bytes are lower-case hex; 64-bit integers are JSON numbers; bools are true/false;
//   * enums are their value names without the enum's own prefix (OperatorStatus.Status
//     STATUS_ATTESTED -> "ATTESTED"); an unknown enum number is printed as the number;
//   * a response that wraps one message is unwrapped: `status` prints the OperatorStatus fields,
//     `attestation` the AttestationRecord, `params` the Params; `current-epoch` prints the NonceEpoch
//     fields followed by blocks_remaining ({"epoch","nonce","start_height","deadline_height",
//     "allowlist_version","blocks_remaining"}); `relayer` prints {"operator","relayer"}.
//
// Errors (component "chain"):
//   NOT_FOUND      the chain answered NotFound (abci_query code 22 or a log naming NotFound), or the
//                  wrapped message is absent (e.g. an operator that never attested); the message names
//                  what was asked for and carries the node's log;
//   QUERY_FAILED   any other non-zero abci_query code, with "(<codespace> <code>)" and the log;
//   BAD_QUERY_REPLY the response bytes do not decode as the method's response;
//   and the client's rpc errors (transport, every endpoint failing) unchanged.
// Thread-safety: as the ChainClient passed in; the decode functions are pure.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>

#include "chain/rpc/types.hpp"

namespace snprelay::chain::rpc {

enum class SnpQuery {
  kCurrentEpoch,  // Query/CurrentEpoch
  kEpoch,         // Query/Epoch (epoch)
  kStatus,        // Query/OperatorStatus (operator)
  kAttestation,   // Query/Attestation (operator, epoch)
  kAllowlist,     // Query/Allowlist (version, 0 = latest)
  kSigners,       // Query/AllowlistSigners
  kRelayer,       // Query/Relayer (operator)
  kParams,        // Query/Params
};

struct SnpQueryRequest {
  SnpQuery kind = SnpQuery::kCurrentEpoch;
  std::string operator_address;  // kStatus, kAttestation, kRelayer
  std::uint64_t epoch = 0;       // kEpoch, kAttestation
  std::uint64_t version = 0;     // kAllowlist
};

// "/snpattest.v1.Query/<Method>" for `kind`.
[[nodiscard]] std::string_view snp_query_path(SnpQuery kind);

// The serialized request protobuf for `request`.
[[nodiscard]] Bytes encode_snp_query(const SnpQueryRequest& request);

// Response bytes -> the JSON object described above. Errors: chain BAD_QUERY_REPLY, chain NOT_FOUND
// (the wrapped message is absent).
[[nodiscard]] Result<std::string> decode_snp_query_json(const SnpQueryRequest& request,
                                                        std::span<const std::uint8_t> response);

// encode, abci_query, decode. Errors: as listed in the file comment.
[[nodiscard]] Result<std::string> query_snpattest_json(ChainClient& client, const SnpQueryRequest& request);
// The same reply as a JSON object, for callers that read its fields (the daemon, doctor, init).
[[nodiscard]] Result<nlohmann::json> query_snpattest(ChainClient& client, const SnpQueryRequest& request);

}  // namespace snprelay::chain::rpc
