// `snprelay init` (issue 13, point 5): a ready-to-run home for `snprelay start`.
//   snprelay init --devnet DIR/devnet.json [--validator N] --home RH [--sim-state DIR] [--api-listen A]
//                 [--kds URL] [--protection M] [--tpm-tcti T] [--force]
//       writes RH/snprelay.toml for validator N in simulate mode, imports the relayer key into RH/keys
//       (name "relayer", unlockable without a prompt), and registers the relayer on chain
//       (MsgSetRelayer signed by the operator's key, derived from its mnemonic file and kept in memory
//       only) unless the chain already has it.
//   snprelay init --chain-id ID --node URL [--node URL ...] --operator VALOPER --home RH [...]
//       writes the same file for a real chain (hardware_mode "require") and lists what is left to do.
// The file logic is relayer/app/init_config.hpp; keys go through app::make_sealer like `keys add`; the
// transaction through open_signer + chain::rpc::deliver like `tx set-relayer`.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "chain/keys/bech32.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "chain/rpc/tx_delivery.hpp"
#include "chain/tx/messages.hpp"
#include "common/file_io.hpp"
#include "config/loader.hpp"
#include "relayer/app/init_config.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/tx_options.hpp"

namespace snprelay::cli {
namespace {

struct InitArgs {
  std::string devnet;
  std::uint64_t validator = 0;
  std::string chain_id;
  std::vector<std::string> nodes;
  std::string operator_address;
  std::string home;
  std::string sim_state;
  std::string api_listen = "127.0.0.1:8080";
  bool insecure_listen = false;
  std::string kds;
  std::string protection = "passphrase";
  std::string tpm_tcti;
  bool force = false;
};

// How long init waits for a node that is still starting (a devnet started a moment ago).
constexpr auto kNodeWait = std::chrono::seconds(30);

// The chain's relayer for `operator_address`: empty when none is set. Retries while the node is
// unreachable (kUnavailable) for up to kNodeWait.
Result<std::string> chain_relayer(chain::rpc::ChainClient& client, const std::string& operator_address) {
  const auto deadline = std::chrono::steady_clock::now() + kNodeWait;
  for (;;) {
    auto r = chain::rpc::query_snpattest(client, {chain::rpc::SnpQuery::kRelayer, operator_address});
    if (r.ok())
      return r->value("relayer", std::string());
    if (r.error().code == "NOT_FOUND")
      return std::string();
    if (r.error().kind != ErrorKind::kUnavailable || std::chrono::steady_clock::now() > deadline)
      return r.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

// MsgSetRelayer(operator -> relayer) signed with the key of `operator_mnemonic`, delivered in a block.
// Prints the tx hash and height; returns the exit code.
int register_relayer(const app::InitSettings& s, const std::string& operator_mnemonic) {
  SignerArgs signer;
  signer.mnemonic_file = operator_mnemonic;
  signer.chain_id = s.chain_id;
  signer.gas_prices = s.gas_price;
  signer.poll_interval_s = 0.2;
  NodeArgs node;
  node.nodes = s.rpc;
  OpenedSigner opened;
  if (const int rc = open_signer(signer, node, opened); rc != kOk)
    return rc;
  auto hrp = chain::keys::address_hrp(s.operator_address);
  auto op = hrp ? chain::keys::decode_address(s.operator_address, *hrp) : Result<Bytes>(hrp.error());
  if (!op || *op != std::vector<std::uint8_t>(opened.key->address.begin(), opened.key->address.end()))
    return fail(make_error("init", "ADDRESS_MISMATCH",
                           "the operator mnemonic " + operator_mnemonic + " derives " + opened.address +
                               ", which is not the account of operator " + s.operator_address,
                           ErrorKind::kInput));
  chain::rpc::TxSubmitter submitter(*opened.client, std::move(*opened.key), opened.options);
  auto delivered = chain::rpc::deliver(
      submitter, {chain::tx::make_msg_set_relayer(s.operator_address, s.relayer)}, "snprelay init");
  if (!delivered)
    return fail(delivered.error());
  if (!delivered->executed())
    return fail(chain::rpc::refusal(*delivered));
  std::cout << "relayer: registered " << s.relayer << " for " << s.operator_address << " (tx "
            << delivered->txhash << " at height " << delivered->height << ")\n";
  return kOk;
}

// The key import and the registration of the devnet mode. Returns the exit code.
int set_up_devnet_relayer(const InitArgs& a, const app::InitSettings& s,
                          const std::shared_ptr<const config::Config>& config,
                          const app::DevnetValidator& v) {
  if (auto st = make_private_dirs(s.options.home); !st)
    return fail(st.error());
  const app::KeyDefaults defaults = app::key_defaults(config, app::init_config_path(s));
  app::KeyRequest request;
  request.tpm.tcti = a.tpm_tcti;
  auto imported = app::import_key_from_mnemonic(app::key_store("", defaults), "relayer", v.relayer_mnemonic,
                                                v.relayer, s.options.protection, request, defaults);
  if (!imported)
    return fail(imported.error());
  std::cout << "relayer key: " << s.relayer
            << (*imported == app::KeyImport::kImported ? " imported as \"relayer\" into "
                                                       : " already present as \"relayer\" in ")
            << app::init_keyring_dir(s) << " (" << app::protection_mode_name(s.options.protection)
            << " protection)\n";

  NodeArgs node;
  node.nodes = s.rpc;
  auto client = make_client(node);
  if (!client)
    return fail(client.error());
  auto current = chain_relayer(**client, s.operator_address);
  if (!current)
    return fail(current.error());
  if (*current == s.relayer) {
    std::cout << "relayer: already registered on chain for " << s.operator_address << "; nothing sent\n";
    return kOk;
  }
  if (!current->empty())
    std::cout << "relayer: the chain has " << *current << " for " << s.operator_address << "; replacing it\n";
  return register_relayer(s, v.operator_mnemonic);
}

int run_init(const InitArgs& a) {
  if (a.devnet.empty() == a.chain_id.empty())
    return fail(usage_error("USAGE", "give exactly one of --devnet DIR/devnet.json or --chain-id ID"));
  if (!a.devnet.empty() && (!a.nodes.empty() || !a.operator_address.empty()))
    return fail(
        usage_error("USAGE", "--node and --operator are for --chain-id; a devnet's come from devnet.json"));
  if (!a.chain_id.empty() && (a.validator != 0 || !a.sim_state.empty()))
    return fail(usage_error("USAGE", "--validator and --sim-state are for --devnet"));
  app::InitOptions o;
  o.home = std::filesystem::absolute(a.home).lexically_normal().string();
  if (o.home.size() > 1 && o.home.back() == '/')
    o.home.pop_back();
  o.api_listen = a.api_listen;
  o.insecure_listen = a.insecure_listen;
  o.kds_base_url = a.kds;
  o.tpm_tcti = a.tpm_tcti;
  o.sim_state_dir = a.sim_state;
  auto mode = app::parse_protection_mode(a.protection, "--protection");
  if (!mode)
    return fail(mode.error());
  o.protection = *mode;

  std::optional<app::DevnetManifest> manifest;
  Result<app::InitSettings> settings = usage_error("USAGE", "unreachable");
  if (!a.devnet.empty()) {
    auto m = app::read_devnet_manifest(a.devnet);
    if (!m)
      return fail(m.error());
    manifest = std::move(*m);
    settings = app::devnet_settings(*manifest, a.validator, std::move(o));
  } else {
    settings = app::chain_settings(a.chain_id, a.nodes, a.operator_address, std::move(o));
  }
  if (!settings)
    return fail(settings.error());
  const app::InitSettings& s = *settings;
  const std::string path = app::init_config_path(s);
  if (auto st = app::check_config_absent(path, a.force); !st)
    return fail(st.error());
  const std::string toml = app::render_init_config(s);
  auto loaded = config::load_config_text(toml, path, config::no_env());
  if (!loaded)
    return fail(loaded.error());  // a flag the loader refuses (e.g. --api-listen), named by its key
  const auto config = std::make_shared<const config::Config>(std::move(*loaded));

  if (manifest) {
    if (const int rc = set_up_devnet_relayer(a, s, config, manifest->validators.at(a.validator)); rc != kOk)
      return rc;
  }
  auto backup = app::write_init_config(path, toml, a.force);
  if (!backup)
    return fail(backup.error());
  std::cout << "configuration: " << path << (backup->empty() ? "" : " (the old one kept as " + *backup + ")")
            << "\n";
  if (s.simulate && a.kds.empty())
    std::cout << "KDS: AMD's " << config->enclave.sev_snp.kds_base_url
              << " (the default); in simulate mode with vcek_source \"auto\" the VCEK comes from the "
                 "simulated firmware's host "
                 "certificates, so the KDS is not asked\n";
  for (const auto& line : app::init_left_to_do(s))
    std::cout << "left to do: " << line << "\n";
  std::cout << "\nnext:\n";
  if (s.options.protection == config::KeyProtection::kPassphrase)
    std::cout << "  export SNPRELAY_KEY_PASSPHRASE=...   # the relayer key's passphrase"
              << (s.simulate ? " (the one init sealed it with)" : "") << "\n";
  std::cout << "  snprelay start --config " << path << "\n";
  return kOk;
}

}  // namespace

void add_init_commands(CLI::App& app, Outcome& outcome) {
  auto a = std::make_shared<InitArgs>();
  auto* init = app.add_subcommand(
      "init", "Write HOME/snprelay.toml for a devnet validator (and set its relayer up) or for a real chain");
  auto* devnet = init->add_option("--devnet", a->devnet, "The devnet.json of `snpattestd devnet init`");
  init->add_option("--validator", a->validator, "Devnet: the validator's index in devnet.json")
      ->check(strict_unsigned(1000))
      ->capture_default_str();
  init->add_option("--sim-state", a->sim_state,
                   "Devnet: the simulated firmware's state directory (default: devnet.json's sim_state)");
  auto* chain_id = init->add_option("--chain-id", a->chain_id, "Real chain: its chain id");
  init->add_option("--node", a->nodes, "Real chain: CometBFT RPC URL; repeat for failover, in order")
      ->allow_extra_args(false);
  init->add_option("--operator", a->operator_address,
                   "Real chain: the validator operator (cosmosvaloper1...)");
  devnet->excludes(chain_id);
  init->add_option("--home", a->home, "The relayer's home directory (created 0700)")->required();
  init->add_option("--api-listen", a->api_listen, "[api] listen")->capture_default_str();
  init->add_flag("--insecure-listen", a->insecure_listen,
                 "Allow a non-loopback --api-listen without a bearer token ([api] insecure_listen)");
  init->add_option("--kds", a->kds, "[enclave.sev_snp] kds_base_url (default: AMD's KDS)");
  init->add_option("--protection", a->protection, "How the relayer key is sealed")
      ->check(CLI::IsMember({"passphrase", "tpm", "snp-derived"}))
      ->capture_default_str();
  init->add_option("--tpm-tcti", a->tpm_tcti,
                   "[tpm] tcti, for --protection tpm (default device:/dev/tpmrm0)");
  init->add_flag("--force", a->force, "Replace an existing HOME/snprelay.toml (kept as snprelay.toml.bak)");
  init->callback([a, &outcome] { outcome.exit_code = run_init(*a); });
}

}  // namespace snprelay::cli
