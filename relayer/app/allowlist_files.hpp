// The files of the allowlist governance flow, read and rendered for `snprelay allowlist ...` (and any
// future tool): update.bin (AllowlistUpdate bytes), sig.json, msg.json and a signer-set file; the
// update as JSON and in words. Formats (JSON, bytes as lower-case hex):
//   sig.json   {"key_id","pubkey","signature","update_sha256","chain_id","version"}
//   msg.json   {"type","chain_id","version","update_sha256","update_bytes","signatures":[{key_id,signature}]}
//   signers    {"signers":[{"key_id","pubkey"}],"threshold"} (`query snpattest signers --json`, devnet.json)
// The byte format and every check on it are allowlist/'s; this layer only finds the bytes in files.
//
// Errors: app BAD_INPUT (kInput) naming the file and the field at fault; io errors of the readers
// (regular files only, capped: kMaxUpdateFile for update.bin, kMaxAllowlistJsonFile for JSON);
// allowlist BAD_SIGNER_SET from validate_signer_set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "allowlist/types.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "config/config.hpp"

namespace snprelay::app {

inline constexpr std::size_t kMaxUpdateFile = std::size_t{32} * 1024 * 1024;
inline constexpr std::size_t kMaxAllowlistJsonFile = 2 * kMaxUpdateFile + std::size_t{1024} * 1024;

// An app BAD_INPUT error (kInput).
[[nodiscard]] Error bad_input(const std::string& message);

// An update's exact bytes, decoded, and their update_sha256.
struct LoadedUpdate {
  Bytes bytes;
  allowlist::Update update;
  allowlist::UpdateHash hash{};
};

// `bytes` decoded strictly (allowlist::decode_update); `where` names their origin in errors.
[[nodiscard]] Result<LoadedUpdate> load_update(Bytes bytes, const std::string& where);
// The update file at `path`.
[[nodiscard]] Result<LoadedUpdate> read_update(const std::string& path);

// The JSON object in the file at `path`; `what` says what it should be ("a signature file (sig.json)").
[[nodiscard]] Result<nlohmann::ordered_json> read_json_object(const std::string& path,
                                                              const std::string& what);
// The string under `key` of `j`; `where` names the object in errors.
[[nodiscard]] Result<std::string> json_string(const nlohmann::ordered_json& j, const char* key,
                                              const std::string& where);
// The hex bytes under `key`: exactly `size` bytes, or any length when size is 0.
[[nodiscard]] Result<Bytes> json_hex(const nlohmann::ordered_json& j, const char* key, std::size_t size,
                                     const std::string& where);

// One signature as read from a sig.json (or a msg.json's list); pubkey empty when the file gave none.
struct SigFile {
  allowlist::Signature sig;
  Bytes pubkey;
  std::string origin;
};

// The signatures in `paths` (sig.json files, or msg.json files with a "signatures" list), each checked
// to be over `update`: its update_sha256 must match, a pubkey given beside it must verify it, and no
// key id may appear twice (each signer counts once).
[[nodiscard]] Result<std::vector<SigFile>> read_signatures(const std::vector<std::string>& paths,
                                                           const LoadedUpdate& update);

// The signer set in a signers file; `threshold` overrides the file's but may only raise it (a lower one
// is BAD_INPUT). Validated (allowlist::validate_signer_set: unique ids AND unique pubkeys).
[[nodiscard]] Result<allowlist::SignerSet> signer_set_from_file(const std::string& path,
                                                                std::optional<std::uint32_t> threshold);
// The signer set pinned in `config` ([allowlist.signers], threshold unless `threshold`, which may only
// raise it); `source` names the file in errors. Validated. BAD_INPUT when the configuration pins no signers.
[[nodiscard]] Result<allowlist::SignerSet> signer_set_from_config(const config::Config& config,
                                                                  const std::string& source,
                                                                  std::optional<std::uint32_t> threshold);

// The update as JSON: every field, update_sha256 and the signing digest.
[[nodiscard]] nlohmann::ordered_json update_json(const LoadedUpdate& u);
// The update in words, one fact a line (what a signer reads before signing); input text escaped.
[[nodiscard]] std::string describe_update(const LoadedUpdate& u);

}  // namespace snprelay::app
