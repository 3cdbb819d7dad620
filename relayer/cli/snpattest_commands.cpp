// The snpattest.v1 protocol commands (issue #10; PROTOCOL.md):
//   snprelay tx set-relayer --from KEY --operator VALOPER --relayer ADDR ...
//        MsgSetRelayer, signed by the operator's ACCOUNT key (the SDK derives the signer from the
//        valoper field: the same 20 bytes as the operator's account address; checked here first)
//   snprelay tx submit-attestation --from KEY --operator VALOPER --epoch E --report F --vcek F
//        --allowlist-version V ...
//        MsgSubmitAttestation signed by the relayer (the --from key); vcek_sha256 from the file
//   snprelay binding --chain-id ID --epoch E --nonce HEX --operator VALOPER --relayer ADDR
//        --allowlist-version V            the 64-byte report_data, lower-case hex
//   snprelay query snpattest epoch|status OPERATOR|attestation OPERATOR EPOCH|allowlist|signers|
//        relayer OPERATOR|params [--json]
// Both tx commands take every node/key/gas/fee flag of `tx send` (tx_options.hpp), WAIT for the
// transaction to be in a block (CheckTx runs only the ante handler) and report the delivered result:
// exit 0 only when the message executed; a refusal in CheckTx or in the block exits 1 with the chain's
// codespace, code and log on standard error; no verdict (no node, confirm timeout) exits 3.
// Logic lives in chain/ (rpc/tx_delivery, rpc/snpattest_queries, protocol/binding); this file parses
// flags, reads files and prints.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "chain/crypto/hash.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/protocol/binding.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "chain/rpc/tx_delivery.hpp"
#include "chain/tx/messages.hpp"
#include "common/json_strict.hpp"
#include "relayer/app/binding.hpp"
#include "relayer/app/input.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/tx_options.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;

constexpr std::size_t kReportSize = 1184;

Error usage(const std::string& message) {
  return usage_error("BAD_FLAG", message);
}

// A validator operator address: "<prefix>valoper1...". Returns its 20 account bytes.
Result<Bytes> operator_bytes(const std::string& valoper) {
  auto hrp = chain::keys::address_hrp(valoper);
  if (!hrp)
    return usage("--operator: " + hrp.error().message);
  if (hrp->size() <= 7 || hrp->compare(hrp->size() - 7, 7, "valoper") != 0)
    return usage("--operator must be a validator operator address (<prefix>valoper1...), got " + valoper);
  auto bytes = chain::keys::decode_address(valoper, *hrp);
  if (!bytes)
    return usage("--operator: " + bytes.error().message);
  return bytes;
}

Status check_account(const std::string& flag, const std::string& address, const std::string& prefix) {
  if (auto bytes = chain::keys::decode_address(address, prefix); !bytes)
    return usage(flag + ": " + bytes.error().message);
  return ok_status();
}

// ---- tx set-relayer / submit-attestation --------------------------------------------------
struct SnpTxArgs {
  SignerArgs signer;
  NodeArgs node;
  std::string operator_address;
  std::string relayer;
  std::uint64_t epoch = 0;
  std::string report;
  std::string vcek;
  bool vcek_by_hash = false;
  std::uint64_t allowlist_version = 0;
};

void print_delivery(const chain::rpc::Delivery& d, bool json) {
  const ordered_json out = {
      {"txhash", d.txhash},
      {"height", d.height},
      {"code", d.code},
      {"codespace", d.codespace},
      {"log", d.log},
      {"gas_used", d.gas_used},
      {"gas_wanted", d.gas_wanted},
      {"stage", d.stage == chain::rpc::Delivery::Stage::kDelivered ? "delivered" : "check_tx"},
      {"sequence", d.sequence},
      {"resyncs", d.resyncs}};
  if (json) {
    std::cout << out.dump() << "\n";
    return;
  }
  for (const auto& [k, v] : out.items())
    std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
}

// Opens the signer, lets `build` make the message from the signer's address, delivers and prints.
template <typename Build>
int run_snp_tx(const SnpTxArgs& a, Build build) {
  if (a.signer.confirm_timeout_s <= 0)
    return fail(usage("--confirm-timeout must be > 0: this command reports the delivered result"));
  OpenedSigner signer;
  if (const int rc = open_signer(a.signer, a.node, signer); rc != kOk)
    return rc;
  auto message = build(signer.address);
  if (!message)
    return fail(message.error());
  chain::rpc::TxSubmitter submitter(*signer.client, std::move(*signer.key), signer.options);
  auto delivered = chain::rpc::deliver(submitter, {std::move(*message)}, a.signer.memo);
  if (!delivered)
    return fail(delivered.error());
  if (!delivered->simulation_error.empty())
    std::cerr << "warning: gas simulation failed (" << delivered->simulation_error << "); sent with "
              << delivered->gas_limit << " gas (--gas-fallback) so the chain records its verdict\n";
  print_delivery(*delivered, a.node.json);
  if (!delivered->executed())
    return refused(chain::rpc::refusal(*delivered));
  return kOk;
}

int run_set_relayer(const SnpTxArgs& a) {
  auto op = operator_bytes(a.operator_address);
  if (!op)
    return fail(op.error());
  if (auto st = check_account("--relayer", a.relayer, a.signer.prefix); !st)
    return fail(st.error());
  return run_snp_tx(a, [&](const std::string& from) -> Result<chain::tx::AnyMessage> {
    auto from_bytes = chain::keys::decode_address(from, a.signer.prefix);
    if (!from_bytes || *from_bytes != *op)
      return usage("MsgSetRelayer is signed by the operator's account key: --operator " + a.operator_address +
                   " belongs to another account than the signing key (" + from + ")");
    return chain::tx::make_msg_set_relayer(a.operator_address, a.relayer);
  });
}

int run_submit_attestation(const SnpTxArgs& a) {
  if (auto op = operator_bytes(a.operator_address); !op)
    return fail(op.error());
  auto report = read_input_file(a.report, kMaxReportFileBytes, "--report");
  if (!report)
    return fail(report.error());
  if (report->size() != kReportSize)
    return fail(usage("--report " + a.report + " is " + std::to_string(report->size()) + " bytes, not " +
                      std::to_string(kReportSize)));
  auto vcek = read_input_file(a.vcek, kMaxCertificateFileBytes, "--vcek");
  if (!vcek)
    return fail(vcek.error());
  if (vcek->empty() || (*vcek)[0] != 0x30)
    return fail(usage("--vcek " + a.vcek + " is not a DER certificate"));
  const auto digest = chain::crypto::sha256(*vcek);
  chain::tx::SubmitAttestation msg;
  msg.operator_address = a.operator_address;
  msg.epoch = a.epoch;
  msg.report = std::move(*report);
  msg.vcek_sha256.assign(digest.begin(), digest.end());
  if (!a.vcek_by_hash)
    msg.vcek_der = std::move(*vcek);
  msg.allowlist_version = a.allowlist_version;
  return run_snp_tx(a, [&](const std::string& from) -> Result<chain::tx::AnyMessage> {
    msg.relayer = from;
    return chain::tx::make_msg_submit_attestation(msg);
  });
}

void add_snp_tx_commands(CLI::App& app, Outcome& outcome) {
  auto* txc = ensure_subcommand(app, "tx", "Build, sign and broadcast transactions");
  auto a = std::make_shared<SnpTxArgs>();

  auto* set = txc->add_subcommand(
      "set-relayer",
      "Register the relayer account of a validator operator (MsgSetRelayer); --from is the "
      "operator's account key");
  set->add_option("--operator", a->operator_address, "Validator operator address (cosmosvaloper1...)")
      ->required();
  set->add_option("--relayer", a->relayer, "The relayer's account address")->required();
  add_signer_flags(set, a->signer);
  add_node_flags(set, a->node);
  set->callback([a, &outcome] { outcome.exit_code = run_set_relayer(*a); });

  // On-chain report verification charges a fixed, large gas amount, even for a report it rejects: when
  // simulation fails (the message would fail), 300k gas is too little for the chain to reach a verdict.
  auto s = std::make_shared<SnpTxArgs>();
  s->signer.gas_fallback = 1'000'000;
  auto* submit =
      txc->add_subcommand("submit-attestation",
                          "Submit an SNP report for an epoch (MsgSubmitAttestation); --from is the relayer");
  submit->add_option("--operator", s->operator_address, "Validator operator address (cosmosvaloper1...)")
      ->required();
  submit->add_option("--epoch", s->epoch, "The epoch the report is bound to")
      ->check(strict_unsigned())
      ->required();
  submit->add_option("--report", s->report, "The 1184-byte report file")->required();
  submit->add_option("--vcek", s->vcek, "The VCEK certificate (DER) that signed it")->required();
  submit->add_flag("--vcek-by-hash", s->vcek_by_hash,
                   "Send only the VCEK's SHA-256 (the chain already holds that certificate)");
  submit->add_option("--allowlist-version", s->allowlist_version, "The allowlist version bound in the report")
      ->check(strict_unsigned())
      ->required();
  add_signer_flags(submit, s->signer);
  add_node_flags(submit, s->node);
  submit->callback([s, &outcome] { outcome.exit_code = run_submit_attestation(*s); });
}

// ---- binding --------------------------------------------------------------------------------
struct BindingArgs {
  std::string chain_id;
  std::uint64_t epoch = 0;
  std::string nonce;
  std::string operator_address;
  std::string relayer;
  std::uint64_t allowlist_version = 0;
  bool json = false;
};

int run_binding(const BindingArgs& a) {
  auto nonce = app::parse_hex_bytes("--nonce", a.nonce, 32, true);
  if (!nonce)
    return fail(nonce.error());
  auto data = app::binding_report_data(
      {a.chain_id, a.epoch, std::move(*nonce), a.operator_address, a.relayer, a.allowlist_version});
  if (!data)
    return fail(data.error());
  const std::string hex = to_hex(*data);
  if (a.json)
    std::cout << ordered_json{{"report_data", hex}}.dump() << "\n";
  else
    std::cout << hex << "\n";
  return kOk;
}

void add_binding_command(CLI::App& app, Outcome& outcome) {
  auto a = std::make_shared<BindingArgs>();
  auto* b = app.add_subcommand("binding",
                               "The 64-byte report_data an epoch's report must carry (PROTOCOL.md binding)");
  b->add_option("--chain-id", a->chain_id, "Chain id")->required();
  b->add_option("--epoch", a->epoch, "Epoch number")->check(strict_unsigned())->required();
  b->add_option("--nonce", a->nonce, "The epoch's 32-byte nonce (hex)")->required();
  b->add_option("--operator", a->operator_address, "Validator operator address, as in the message")
      ->required();
  b->add_option("--relayer", a->relayer, "Relayer account address, as in the message")->required();
  b->add_option("--allowlist-version", a->allowlist_version, "Allowlist version")
      ->check(strict_unsigned())
      ->required();
  b->add_flag("--json", a->json, "Print {\"report_data\": HEX}");
  b->callback([a, &outcome] { outcome.exit_code = run_binding(*a); });
}

// ---- query snpattest ---------------------------------------------------------------------------
struct SnpQueryArgs {
  chain::rpc::SnpQueryRequest request;
  NodeArgs node;
};

// "key: value" lines; nested objects as parent.key, arrays as key[i].
void print_text(const ordered_json& j, const std::string& prefix) {
  if (j.is_object() && !(j.empty() && !prefix.empty())) {
    for (const auto& [k, v] : j.items())
      print_text(v, prefix.empty() ? k : prefix + "." + k);
  } else if (j.is_array() && !j.empty()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      print_text(j[i], prefix + "[" + std::to_string(i) + "]");
  } else {
    std::cout << prefix << ": "
              << (j.is_string() ? j.get<std::string>()
                  : j.is_null() ? ""
                                : j.dump())
              << "\n";
  }
}

int run_snp_query(const SnpQueryArgs& a) {
  if (!a.request.operator_address.empty())
    if (auto op = operator_bytes(a.request.operator_address); !op)
      return fail(op.error());
  auto client = make_client(a.node);
  if (!client)
    return fail(client.error());
  auto text = chain::rpc::query_snpattest_json(**client, a.request);
  if (!text)
    return fail(text.error());
  if (a.node.json) {
    std::cout << *text << "\n";
    return kOk;
  }
  auto j = parse_json_strict<ordered_json>(*text, "the query's answer");
  if (!j)
    return fail(make_error("cli", "BAD_QUERY_REPLY", j.error().message, ErrorKind::kUnavailable));
  print_text(*j, "");
  return kOk;
}

void add_snp_query_commands(CLI::App& app, Outcome& outcome) {
  using chain::rpc::SnpQuery;
  auto* q = ensure_subcommand(app, "query", "Read chain state through a CometBFT node (abci_query)");
  auto* snp = q->add_subcommand("snpattest", "The snpattest module's state (PROTOCOL.md queries)");
  snp->require_subcommand(1);
  auto add = [&](const char* name, const char* help, SnpQuery kind, bool with_operator, bool with_epoch) {
    auto a = std::make_shared<SnpQueryArgs>();
    a->request.kind = kind;
    auto* cmd = snp->add_subcommand(name, help);
    if (with_operator)
      cmd->add_option("OPERATOR", a->request.operator_address, "Validator operator address")->required();
    if (with_epoch)
      cmd->add_option("EPOCH", a->request.epoch, "Epoch number")->required()->check(strict_unsigned());
    if (kind == SnpQuery::kAllowlist)
      cmd->add_option("--version", a->request.version, "Allowlist version (0 = latest)")
          ->check(strict_unsigned())
          ->capture_default_str();
    add_node_flags(cmd, a->node);
    cmd->callback([a, &outcome] { outcome.exit_code = run_snp_query(*a); });
  };
  add("epoch", "The open nonce epoch and the blocks left in it", SnpQuery::kCurrentEpoch, false, false);
  add("epoch-at", "A past epoch within the retention window", SnpQuery::kEpoch, false, true);
  add("status", "An operator's attestation status", SnpQuery::kStatus, true, false);
  add("attestation", "An operator's accepted attestation for an epoch", SnpQuery::kAttestation, true, true);
  add("allowlist", "The applied measurement allowlist", SnpQuery::kAllowlist, false, false);
  add("signers", "The allowlist signer set and threshold", SnpQuery::kSigners, false, false);
  add("relayer", "The relayer account registered for an operator", SnpQuery::kRelayer, true, false);
  add("params", "The module parameters", SnpQuery::kParams, false, false);
}

}  // namespace

void add_snpattest_commands(CLI::App& app, Outcome& outcome) {
  add_snp_tx_commands(app, outcome);
  add_binding_command(app, outcome);
  add_snp_query_commands(app, outcome);
}

}  // namespace snprelay::cli
