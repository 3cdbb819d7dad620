// snprelay's typed configuration.
//
// A Config is produced by load_config() (loader.hpp) from a TOML file plus SNPRELAY_* environment
// overrides, after every value has been type- and range-checked. Every member has a default, so a
// file only names what it changes. Section names follow the TOML tables: [enclave] with
// [enclave.sev_snp], [enclave.sev_snp.min_tcb] and [enclave.runtime] (the layout of the VEID guide's
// enclave.toml), then [chain] with [chain.key], [relayer], [allowlist], [api], [tpm] and [log].
//
// The authoritative list of keys, their types, ranges and help texts is the schema in schema.cpp;
// `snprelay config check FILE` prints the effective values. The product and the minimum TCB are
// attest/tcb.hpp's own types (library snprelay_tcb), so the configuration and the verifier cannot
// disagree on what "Milan" or "min_tcb" means.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "attest/tcb.hpp"

namespace snprelay::config {

using Duration = std::chrono::milliseconds;

enum class Platform { kSevSnp };
enum class HardwareMode { kRequire, kAuto, kSimulate };
enum class KeyProtection { kPassphrase, kTpm, kSnpDerived };
// Where the daemon takes the VCEK from: auto = the host's certificate table (extended report) when it
// has one, else AMD's KDS (cached); kds = always the KDS, for hosts whose certificate table is stale.
enum class VcekSource { kAuto, kKds };
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
enum class LogFormatName { kText, kJson };

struct SevSnpConfig {
  // "unix:///path" also serves the local API on that socket; empty = TCP listener only.
  std::string endpoint;
  std::string kds_base_url = "https://kdsintf.amd.com/vcek/v1";
  Duration kds_timeout = std::chrono::seconds(30);
  std::string kds_ca_bundle;  // extra CA bundle for a local KDS stand-in; system CAs otherwise
  VcekSource vcek_source = VcekSource::kAuto;
  std::string cert_cache_path = "/var/cache/snprelay/sev-certs";
  Duration cert_cache_ttl = std::chrono::hours(24);
  attest::Product product_name = attest::Product::kMilan;  // never kUnknown
  bool allow_debug_policy = false;
  std::string device = "/dev/sev-guest";
  std::string configfs_path = "/sys/kernel/config/tsm/report";
  std::string sim_state_dir = "/var/lib/snprelay/sim";
  std::int64_t vmpl = 0;
  attest::MinTcb min_tcb;  // [enclave.sev_snp.min_tcb]; fmc only with product_name = "Turin"
};

struct RuntimeConfig {
  std::int64_t max_concurrent_requests = 100;
  Duration request_timeout = std::chrono::seconds(5);
};

struct EnclaveConfig {
  Platform platform = Platform::kSevSnp;
  HardwareMode hardware_mode = HardwareMode::kRequire;
  SevSnpConfig sev_snp;
  RuntimeConfig runtime;
};

struct KeyConfig {
  std::string name = "relayer";
  std::string keyring_dir = "/var/lib/snprelay/keys";
  KeyProtection protection = KeyProtection::kPassphrase;
  std::string hd_path = "m/44'/118'/0'/0/0";
};

struct ChainConfig {
  std::string chain_id;
  std::vector<std::string> rpc = {"http://127.0.0.1:26657"};
  Duration rpc_timeout = std::chrono::seconds(10);
  // While a later endpoint of `rpc` is in use, how often the first is tried again (it is used again as
  // soon as it answers).
  Duration rpc_recheck_interval = std::chrono::seconds(30);
  std::string bech32_prefix = "cosmos";
  std::string gas_price = "0.025ustake";  // "<amount><denom>" per gas unit
  double gas_adjustment = 1.3;
  std::int64_t gas_limit_max = 2'000'000;
  std::int64_t gas_fallback = 400'000;
  // How long one simulation's gas serves later transactions of the same shape (the daemon's epoch
  // submissions); 0 simulates every transaction. See chain/rpc/tx_submitter.hpp.
  Duration simulation_reuse = std::chrono::minutes(10);
  std::string fee_granter;
  Duration confirm_timeout = std::chrono::seconds(30);
  KeyConfig key;
};

struct RelayerConfig {
  std::string operator_address;  // TOML key "operator" (valoper bech32)
  Duration poll_interval = std::chrono::seconds(5);
  std::string state_dir = "/var/lib/snprelay";
  std::string journal_path = "/var/lib/snprelay/relayer.db";
  std::int64_t max_retries = 5;
};

// One governance key of the pinned allowlist signer set: the key id the chain's signer set and every
// signature name it by, and its 33-byte compressed secp256k1 public key as 66 hex digits (02/03...).
struct AllowlistSigner {
  std::string key_id;
  std::string pubkey;
  bool operator==(const AllowlistSigner&) const = default;
};

struct AllowlistConfig {
  // [allowlist.signers]: key id = "pubkey hex", sorted by key id. Replaces the old governance_keys list
  // (a key without its id cannot be matched to a signature); no environment override.
  std::vector<AllowlistSigner> signers;
  std::int64_t threshold = 1;
  std::string db_path = "/var/lib/snprelay/allowlist.db";
};

struct ApiConfig {
  std::string listen = "127.0.0.1:8080";
  std::int64_t max_body_bytes = 65536;
  std::int64_t max_connections = 256;
  // A file holding the bearer token `POST /v1/attestation/generate` then requires (one trailing newline
  // ignored); empty = no token. The token itself is never a configuration value (it would be printed by
  // `config check` and copied with the file); the file must not be group- or world-readable.
  std::string bearer_token_file;
  // A listen address other than loopback without a bearer token exposes the unauthenticated generate
  // endpoint to the network; refused unless this says the operator means it (issue 21).
  bool insecure_listen = false;
};

struct TpmConfig {
  std::string tcti = "device:/dev/tpmrm0";
  std::vector<std::int64_t> pcrs = {0, 1, 7};
};

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  LogFormatName format = LogFormatName::kText;
};

struct Config {
  EnclaveConfig enclave;
  ChainConfig chain;
  RelayerConfig relayer;
  AllowlistConfig allowlist;
  ApiConfig api;
  TpmConfig tpm;
  LogConfig log;
};

}  // namespace snprelay::config
