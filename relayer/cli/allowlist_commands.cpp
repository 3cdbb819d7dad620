// `snprelay allowlist ...` (issue #12): the governance tools around the signed measurement allowlist.
//   new        build an AllowlistUpdate (--add MEAS[:label], --revoke MEAS, --min-tcb ...) -> update.bin;
//              --from-chain takes version = chain + 1 and prev_hash from the chain's current update
//   sign       one governance key signs update.bin (offline; the key store's protection modes); what is
//              being signed is printed in words on standard error first -> sig.json
//   combine    update.bin + sig*.json -> msg.json (the MsgUpdateAllowlist body)
//   verify     update.bin + sig*.json against a signer set and threshold (exit 1 below threshold)
//   submit     broadcast msg.json as MsgUpdateAllowlist and report what the chain did
//   measure    (measure_commands.cpp) a report's measurement, or an image's (--ovmf ..., --image)
// show, sync and verify-db are in allowlist_db_commands.cpp; the file formats in
// relayer/app/allowlist_files.hpp. Bad input (a flag, a file, a signer set) is refused before anything is
// written: exit 2, any database untouched. The logic is allowlist/'s; this file reads, checks, prints.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "allowlist/codec.hpp"
#include "allowlist/verify.hpp"
#include "attest/report.hpp"
#include "attest/tcb.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "chain/rpc/tx_delivery.hpp"
#include "common/file_io.hpp"
#include "common/json_strict.hpp"
#include "common/path_rules.hpp"
#include "relayer/app/allowlist_files.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/app/text.hpp"
#include "relayer/cli/allowlist_cli.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/cli_options.hpp"
#include "relayer/cli/measure_cli.hpp"
#include "relayer/cli/tx_options.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;
namespace al = allowlist;

Error bad(const std::string& message) {
  return usage_error("BAD_INPUT", message);
}

Status write_json(const std::string& path, const ordered_json& j) {
  return write_file_atomic(path, j.dump(2) + "\n", 0644);
}

// ---- new ----------------------------------------------------------------------------------------

struct NewArgs {
  std::string chain_id;
  std::optional<std::uint64_t> version;
  std::string prev_hash;
  std::vector<std::string> add;
  std::vector<std::string> add_measured;  // IMAGE.toml files (measure_commands.cpp)
  std::vector<std::string> revoke;
  std::vector<std::string> min_tcb;
  std::uint64_t valid_until_height = 0;
  std::string memo;
  std::string out;
  bool from_chain = false;
  NodeArgs node;
};

Result<al::ProductTcb> parse_min_tcb(const std::string& text) {
  const auto colon = text.find(':');
  const auto named = attest::parse_product(text.substr(0, colon));
  if (colon == std::string::npos || !named)
    return bad("--min-tcb \"" + app::escape_text(text) +
               "\": expected Product:bl,tee,snp,ucode[,fmc] with Product Milan, Genoa or Turin");
  std::vector<std::uint32_t> v;
  std::string rest = text.substr(colon + 1);
  for (std::size_t start = 0; start <= rest.size();) {
    const auto comma = rest.find(',', start);
    const std::string part =
        rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto n = app::parse_unsigned("--min-tcb", part, 255);
    if (!n)
      return bad("--min-tcb \"" + app::escape_text(text) + "\": " + n.error().message);
    v.push_back(static_cast<std::uint32_t>(*n));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (v.size() != 4 && v.size() != 5)
    return bad("--min-tcb \"" + app::escape_text(text) + "\": give 4 or 5 numbers (bl,tee,snp,ucode[,fmc])");
  // The update carries AMD's spelling ("Milan"), whatever case the operator typed.
  return al::ProductTcb{
      std::string(attest::product_name(*named)), v[0], v[1], v[2], v[3], v.size() == 5 ? v[4] : 0};
}

// version and prev_hash from the chain's current update (version 0 and zeros when it has none).
Status from_chain(const NewArgs& a, al::Update& u) {
  auto client = make_client(a.node);
  if (!client)
    return client.error();
  if (u.chain_id.empty()) {
    auto status = (*client)->status();
    if (!status)
      return status.error();
    u.chain_id = status->network;
  }
  chain::rpc::SnpQueryRequest q;
  q.kind = chain::rpc::SnpQuery::kAllowlist;
  auto text = chain::rpc::query_snpattest_json(**client, q);
  std::uint64_t version = 0;
  Bytes prev(al::kHashSize, 0);
  if (text) {
    auto parsed = parse_json_strict<ordered_json>(*text, "the chain's allowlist");
    if (!parsed)
      return make_error("cli", "BAD_QUERY_REPLY", parsed.error().message, ErrorKind::kUnavailable);
    const ordered_json& j = *parsed;
    if (!j.contains("version") || !j["version"].is_number_unsigned())
      return make_error("cli", "BAD_QUERY_REPLY", "the chain's allowlist query did not answer a version",
                        ErrorKind::kUnavailable);
    version = j["version"].get<std::uint64_t>();
    if (version > 0) {
      auto sha = app::json_hex(j, "update_sha256", al::kHashSize, "the chain's allowlist");
      if (!sha)
        return make_error("cli", "BAD_QUERY_REPLY", sha.error().message, ErrorKind::kUnavailable);
      prev = std::move(*sha);
    }
  } else if (text.error().code != "NOT_FOUND") {
    return text.error();
  }
  u.version = version + 1;
  u.prev_hash = std::move(prev);
  return ok_status();
}

Result<al::Update> build_update(const NewArgs& a) {
  al::Update u;
  u.chain_id = a.chain_id;
  if (a.from_chain) {
    if (a.version || !a.prev_hash.empty())
      return bad("--from-chain takes the version and prev_hash from the chain; drop --version/--prev-hash");
    if (a.node.nodes.empty())
      return bad("--from-chain needs --node URL");
  } else {
    if (a.chain_id.empty() || !a.version)
      return bad("give --chain-id and --version (or --from-chain --node URL)");
    if (*a.version == 0)
      return bad("--version must be at least 1");
    u.version = *a.version;
    if (a.prev_hash.empty() && u.version != 1)
      return bad("--prev-hash is required after version 1 (the update_sha256 of version " +
                 std::to_string(u.version - 1) + ")");
    if (a.prev_hash.empty()) {
      u.prev_hash.assign(al::kHashSize, 0);
    } else {
      auto prev = app::parse_hex_bytes("--prev-hash", a.prev_hash, al::kHashSize, true);
      if (!prev)
        return prev.error();
      u.prev_hash = std::move(*prev);
    }
  }
  for (const auto& item : a.add) {
    const auto colon = item.find(':');
    auto m = app::parse_hex_bytes("--add", item.substr(0, colon), al::kMeasurementSize, true);
    if (!m)
      return m.error();
    al::Entry e;
    e.measurement = std::move(*m);
    if (colon != std::string::npos)
      e.label = item.substr(colon + 1);
    u.add.push_back(std::move(e));
  }
  auto measured = measured_entries(a.add_measured);
  if (!measured)
    return measured.error();
  for (auto& e : *measured)
    u.add.push_back(std::move(e));
  for (const auto& item : a.revoke) {
    auto m = app::parse_hex_bytes("--revoke", item, al::kMeasurementSize, true);
    if (!m)
      return m.error();
    u.revoke.push_back(std::move(*m));
  }
  for (const auto& item : a.min_tcb) {
    auto t = parse_min_tcb(item);
    if (!t)
      return t.error();
    u.min_tcb.push_back(std::move(*t));
  }
  if (u.add.empty() && u.revoke.empty() && u.min_tcb.empty())
    return bad("the update changes nothing: give --add, --revoke or --min-tcb");
  u.valid_until_height = static_cast<std::int64_t>(a.valid_until_height);
  u.memo = a.memo;
  return u;
}

int run_new(const NewArgs& a) {
  if (auto st = check_output(a.out, "-o"); !st)
    return fail(st.error());
  auto u = build_update(a);
  if (!u)
    return fail(u.error());
  if (a.from_chain)
    if (auto st = from_chain(a, *u); !st)
      return fail(st.error());
  if (auto st = al::validate_shape(*u); !st)
    return fail(bad(st.error().message));
  auto loaded = app::load_update(al::encode_update(*u), "the new update");
  if (!loaded)
    return fail(loaded.error());
  if (auto st = write_file_atomic(a.out, std::span<const std::uint8_t>(loaded->bytes), 0644); !st)
    return fail(st.error());
  if (a.node.json) {
    ordered_json j = app::update_json(*loaded);
    j["file"] = a.out;
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "wrote " << a.out << "\n" << app::describe_update(*loaded);
  }
  return kOk;
}

// ---- sign ---------------------------------------------------------------------------------------

struct SignArgs {
  std::string update;
  std::string key;
  std::string key_id;
  std::string keyring_dir;
  ProtectionArgs protect;
  std::string out;
  bool json = false;
};

int run_sign(const SignArgs& a) {
  if (auto st = check_output(a.out, "-o", std::vector{a.update}); !st)
    return fail(st.error());
  auto u = app::read_update(a.update);
  if (!u)
    return fail(u.error());
  const std::string key_id = a.key_id.empty() ? a.key : a.key_id;
  std::cerr << "signing as \"" << app::escape_text(key_id) << "\" (key " << app::escape_text(a.key) << "):\n"
            << app::describe_update(*u) << describe_measured_entries(u->update);
  auto defaults = key_defaults(a.protect);
  if (!defaults)
    return fail(defaults.error());
  auto key =
      app::open_key(app::key_store(a.keyring_dir, *defaults), a.key, key_request(a.protect), *defaults);
  if (!key)
    return fail(key.error());
  auto sig = al::sign_update(u->bytes, key_id, key->private_key);
  if (!sig)
    return fail(sig.error());
  const ordered_json out = {{"key_id", key_id},
                            {"pubkey", to_hex(key->public_key)},
                            {"signature", to_hex(sig->signature)},
                            {"update_sha256", to_hex(u->hash)},
                            {"chain_id", u->update.chain_id},
                            {"version", u->update.version}};
  if (auto st = write_json(a.out, out); !st)
    return fail(st.error());
  if (a.json)
    std::cout << out.dump() << "\n";
  else
    std::cout << "wrote " << a.out << ": \"" << app::escape_text(key_id) << "\" signed update "
              << to_hex(u->hash) << "\n";
  return kOk;
}

// ---- combine / verify ---------------------------------------------------------------------------

struct CombineArgs {
  std::string update;
  std::vector<std::string> sigs;
  std::vector<std::string> recompute;  // verify --recompute IMAGE.toml...
  std::string out;
  PinnedArgs pinned;
  bool json = false;
};

// The update and signature files of combine and verify, each signature checked by read_signatures.
struct SignedUpdate {
  app::LoadedUpdate update;
  std::vector<app::SigFile> sigs;
};

Result<SignedUpdate> read_signed(const CombineArgs& a) {
  auto u = app::read_update(a.update);
  if (!u)
    return u.error();
  auto sigs = app::read_signatures(a.sigs, *u);
  if (!sigs)
    return sigs.error();
  return SignedUpdate{std::move(*u), std::move(*sigs)};
}

int run_combine(const CombineArgs& a) {
  std::vector<std::string> inputs = a.sigs;
  inputs.push_back(a.update);
  if (auto st = check_output(a.out, "-o", inputs); !st)
    return fail(st.error());
  auto in = read_signed(a);
  if (!in)
    return fail(in.error());
  const app::LoadedUpdate* u = &in->update;
  const std::vector<app::SigFile>* sigs = &in->sigs;
  ordered_json list = ordered_json::array();
  for (const auto& s : *sigs)
    list.push_back({{"key_id", s.sig.key_id}, {"signature", to_hex(s.sig.signature)}});
  const ordered_json msg = {{"type", al::kMsgUpdateAllowlistType}, {"chain_id", u->update.chain_id},
                            {"version", u->update.version},        {"update_sha256", to_hex(u->hash)},
                            {"update_bytes", to_hex(u->bytes)},    {"signatures", list}};
  if (auto st = write_json(a.out, msg); !st)
    return fail(st.error());
  if (a.json)
    std::cout << ordered_json{{"file", a.out},
                              {"update_sha256", to_hex(u->hash)},
                              {"signatures", sigs->size()}}
                     .dump()
              << "\n";
  else
    std::cout << "wrote " << a.out << ": update " << to_hex(u->hash) << " with " << sigs->size()
              << " signature(s)\n";
  return kOk;
}

int run_verify(const CombineArgs& a) {
  auto in = read_signed(a);
  if (!in)
    return fail(in.error());
  const app::LoadedUpdate* u = &in->update;
  const std::vector<app::SigFile>* sigs = &in->sigs;
  std::optional<config::Config> storage;
  auto cfg = pinned_config(a.pinned, storage);
  if (!cfg)
    return fail(cfg.error());
  auto set = pinned_set(a.pinned, *cfg);
  if (!set)
    return fail(set.error());
  std::vector<al::Signature> plain;
  for (const auto& s : *sigs) {
    // A signature labelled with one id but made by another id's key is refused, not just not counted.
    if (const auto other = al::signed_by_other(u->bytes, s.sig, *set))
      return fail(make_error("allowlist", "RELABELLED_SIGNATURE",
                             "the signature labelled \"" + app::escape_text(s.sig.key_id) +
                                 "\" was made by \"" + app::escape_text(*other) +
                                 "\"'s key; a signature counts only under its own id",
                             ErrorKind::kRejected));
    plain.push_back(s.sig);
  }
  auto ids = al::check_signatures(u->bytes, plain, *set);
  if (!ids)
    return fail(ids.error());
  auto recomputed = recompute_measured(u->update, a.recompute);
  if (!recomputed)
    return fail(recomputed.error());
  if (a.json) {
    std::cout << ordered_json{{"ok", true},
                              {"update_sha256", to_hex(u->hash)},
                              {"threshold", set->threshold},
                              {"signer_ids", *ids}}
                     .dump()
              << "\n";
  } else {
    std::cout << "OK: " << ids->size() << " of " << set->threshold << " required signatures valid (";
    for (std::size_t i = 0; i < ids->size(); ++i)
      std::cout << (i == 0 ? "" : ", ") << app::escape_text((*ids)[i]);
    std::cout << ") on update " << to_hex(u->hash) << "\n" << *recomputed;
  }
  return kOk;
}

// ---- submit -------------------------------------------------------------------------------------

struct SubmitArgs {
  std::string msg;
  SignerArgs signer;
  NodeArgs node;
};

struct LoadedMsg {
  app::LoadedUpdate update;
  std::vector<al::Signature> signatures;
};

Result<LoadedMsg> read_msg(const std::string& path) {
  auto j = app::read_json_object(path, "an allowlist message (msg.json from `allowlist combine`)");
  if (!j)
    return j.error();
  auto bytes = app::json_hex(*j, "update_bytes", 0, path);
  if (!bytes)
    return bytes.error();
  auto update = app::load_update(std::move(*bytes), path + " update_bytes");
  if (!update)
    return update.error();
  LoadedMsg out;
  out.update = std::move(*update);
  auto sigs = app::read_signatures({path}, out.update);
  if (!sigs)
    return sigs.error();
  if (sigs->empty())
    return bad(path + " carries no signatures");
  for (auto& s : *sigs)
    out.signatures.push_back(std::move(s.sig));
  return out;
}

int run_submit(const SubmitArgs& a) {
  auto msg = read_msg(a.msg);
  if (!msg)
    return fail(msg.error());
  if (a.signer.confirm_timeout_s <= 0)
    return fail(bad("--confirm-timeout must be > 0: this command reports the delivered result"));
  OpenedSigner signer;
  if (const int rc = open_signer(a.signer, a.node, signer); rc != kOk)
    return rc;
  chain::tx::AnyMessage any{
      al::kMsgUpdateAllowlistType,
      al::encode_msg_update_allowlist(signer.address, msg->update.bytes, msg->signatures)};
  chain::rpc::TxSubmitter submitter(*signer.client, std::move(*signer.key), signer.options);
  auto delivered = chain::rpc::deliver(submitter, {std::move(any)}, a.signer.memo);
  if (!delivered)
    return fail(delivered.error());
  const chain::rpc::Delivery& d = *delivered;
  const ordered_json out = {{"txhash", d.txhash},
                            {"height", d.height},
                            {"code", d.code},
                            {"codespace", d.codespace},
                            {"log", d.log},
                            {"gas_used", d.gas_used},
                            {"version", msg->update.update.version},
                            {"update_sha256", to_hex(msg->update.hash)}};
  if (a.node.json) {
    std::cout << out.dump() << "\n";
  } else {
    for (const auto& [k, v] : out.items())
      std::cout << k << ": " << (v.is_string() ? app::escape_text(v.get<std::string>()) : v.dump()) << "\n";
  }
  if (!d.executed())
    return refused(chain::rpc::refusal(d));
  return kOk;
}

// ---- registration -------------------------------------------------------------------------------

// The UPDATE and SIGS positionals and --json of combine and verify.
void add_update_and_signatures(CLI::App* cmd, CombineArgs& a, const char* sigs_help) {
  cmd->add_option("UPDATE", a.update, "update.bin")->required();
  cmd->add_option("SIGS", a.sigs, sigs_help)->required();
  add_json_flag(cmd, a.json);
}

}  // namespace

void add_allowlist_commands(CLI::App& app, Outcome& outcome) {
  auto* al_cmd = app.add_subcommand("allowlist", "Governance tools for the signed measurement allowlist");
  al_cmd->require_subcommand(1);

  auto n = std::make_shared<NewArgs>();
  auto* c_new = al_cmd->add_subcommand("new", "Build an allowlist update (AllowlistUpdate bytes)");
  c_new->add_option("--chain-id", n->chain_id, "Chain id (with --from-chain: default the node's network)");
  c_new->add_option("--version", n->version, "Update version (the chain's current + 1)")
      ->check(strict_unsigned());
  c_new->add_option("--prev-hash", n->prev_hash, "update_sha256 of the previous version (hex; zeros for 1)");
  c_new->add_option("--add", n->add, "MEAS[:label]: allow a 48-byte measurement (hex); repeatable");
  c_new->add_option("--add-measured", n->add_measured,
                    "IMAGE.toml: allow the measurement an image description computes; repeatable");
  c_new->add_option("--revoke", n->revoke, "MEAS: revoke a measurement (hex); repeatable");
  c_new->add_option("--min-tcb", n->min_tcb, "Product:bl,tee,snp,ucode[,fmc]: minimum TCB; repeatable");
  c_new
      ->add_option("--valid-until-height", n->valid_until_height,
                   "Last height the update may apply (0 = none)")
      ->check(strict_unsigned(INT64_MAX));
  c_new->add_option("--memo", n->memo, "Memo");
  c_new->add_option("-o,--out", n->out, "Output file (update.bin)")->required();
  c_new->add_flag("--from-chain", n->from_chain, "Take version and prev_hash from the chain (--node)");
  add_node_flags(c_new, n->node, false);
  c_new->callback([n, &outcome] { outcome.exit_code = run_new(*n); });

  auto s = std::make_shared<SignArgs>();
  auto* c_sign = al_cmd->add_subcommand("sign", "Sign an update with a governance key from the key store");
  c_sign->add_option("UPDATE", s->update, "update.bin")->required();
  c_sign->add_option("--key", s->key, "Stored key name")->required();
  c_sign->add_option("--key-id", s->key_id, "Key id in the signer set (default: the key name)");
  c_sign->add_option("--keyring-dir", s->keyring_dir, "Key store directory");
  add_protection_options(c_sign, s->protect);
  c_sign->add_option("-o,--out", s->out, "Output signature file (sig.json)")->required();
  add_json_flag(c_sign, s->json);
  c_sign->callback([s, &outcome] { outcome.exit_code = run_sign(*s); });

  auto c = std::make_shared<CombineArgs>();
  auto* c_comb = al_cmd->add_subcommand("combine", "Combine an update and its signatures into msg.json");
  add_update_and_signatures(c_comb, *c, "sig.json files");
  c_comb->add_option("-o,--out", c->out, "Output message file (msg.json)")->required();
  c_comb->callback([c, &outcome] { outcome.exit_code = run_combine(*c); });

  auto v = std::make_shared<CombineArgs>();
  auto* c_ver = al_cmd->add_subcommand("verify", "Check an update's signatures against a signer set");
  add_update_and_signatures(c_ver, *v, "sig.json (or msg.json) files");
  add_pinned_flags(c_ver, v->pinned);
  c_ver->add_option("--recompute", v->recompute, "IMAGE.toml...: recompute every added measurement");
  c_ver->callback([v, &outcome] { outcome.exit_code = run_verify(*v); });

  auto sub = std::make_shared<SubmitArgs>();
  auto* c_sub = al_cmd->add_subcommand("submit", "Broadcast msg.json as MsgUpdateAllowlist");
  c_sub->add_option("MSG", sub->msg, "msg.json from `allowlist combine`")->required();
  add_signer_flags(c_sub, sub->signer);
  add_node_flags(c_sub, sub->node);
  c_sub->callback([sub, &outcome] { outcome.exit_code = run_submit(*sub); });

  add_measure_commands(al_cmd, outcome);  // measure_commands.cpp
  add_allowlist_db_commands(al_cmd, outcome);
}

}  // namespace snprelay::cli
