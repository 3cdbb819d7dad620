// `snprelay allowlist show|sync|verify-db` (issue #12): the relayer's SQLite copy of the allowlist and
// the chain's, and the pinned signer set those commands (and `allowlist verify`) check against.
//   show       an update file, the relayer's SQLite copy (read-only), or the chain's current allowlist
//   sync       bring the SQLite copy to the chain's version (pinned signers; alarms exit 1)
//   verify-db  re-verify the SQLite copy from version 1; names the first bad row (exit 1)
// Bad input is refused before any database is opened or created: exit 2, the copy untouched.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "allowlist/store.hpp"
#include "allowlist/sync.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "common/json_strict.hpp"
#include "common/path_rules.hpp"
#include "relayer/app/allowlist_files.hpp"
#include "relayer/app/text.hpp"
#include "relayer/cli/allowlist_cli.hpp"
#include "relayer/cli/cli_options.hpp"
#include "relayer/cli/tx_options.hpp"

namespace snprelay::cli {

using nlohmann::ordered_json;
namespace al = allowlist;

namespace {

Error bad(const std::string& message) {
  return usage_error("BAD_INPUT", message);
}

// An error about the file named by --db, the path in front; its kind is the library's.
Error db_error(const std::string& path, const Error& e) {
  return make_error(e.component, e.code, "--db " + path + ": " + e.message, e.kind);
}

}  // namespace

void add_pinned_flags(CLI::App* cmd, PinnedArgs& a) {
  cmd->add_option("--signers", a.signers_file,
                  "Signer set file {\"signers\":[{\"key_id\",\"pubkey\"}],\"threshold\"} (`query snpattest "
                  "signers --json`, devnet.json)");
  cmd->add_option("--threshold", a.threshold, "Signatures required (default: the --signers file's)")
      ->check(strict_unsigned(UINT32_MAX));
  cmd->add_option("--config", a.config,
                  "Configuration: [allowlist] signers, threshold, db_path and chain.chain_id");
}

Result<const config::Config*> pinned_config(const PinnedArgs& a, std::optional<config::Config>& storage) {
  if (a.config.empty())
    return static_cast<const config::Config*>(nullptr);
  return use_config(a.config, nullptr, storage);
}

Result<al::SignerSet> pinned_set(const PinnedArgs& a, const config::Config* cfg) {
  const auto threshold =
      a.threshold ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*a.threshold)) : std::nullopt;
  if (!a.signers_file.empty())
    return app::signer_set_from_file(a.signers_file, threshold);
  if (cfg != nullptr)
    return app::signer_set_from_config(*cfg, a.config, threshold);
  return bad(
      "no signer set: give --signers F [--threshold T], or --config F with [allowlist.signers] and "
      "threshold");
}

namespace {

// ---- show ---------------------------------------------------------------------------------------

struct ShowArgs {
  std::string db;
  std::string update;
  NodeArgs node;
};

// The relayer's SQLite copy, read-only (allowlist::read_copy), as JSON. With `verify`, the copy is first
// re-verified (verify_db) against its own chain id and stored signer set, so a row added, removed or
// relabelled by hand is refused naming the first bad row, never listed as if it were signed (`verify-db
// --signers` checks the stored set against a pinned one).
Result<ordered_json> read_db(const std::string& path, bool verify) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error("io", "NOT_FOUND", "--db " + path + " does not exist", ErrorKind::kInput);
  auto copy = al::read_copy(path);
  if (!copy)
    return db_error(path, copy.error());
  if (verify) {
    auto check = al::verify_db(path, copy->chain_id, copy->signers);
    if (!check)
      return db_error(path, check.error());
    if (!check->ok)
      return make_error("allowlist", "COPY_TAMPERED",
                        "--db " + path + " does not match its signed updates: first bad row: " +
                            check->bad_row + ": " + check->code + ": " + check->message,
                        ErrorKind::kRejected);
  }
  ordered_json signers = ordered_json::array();
  for (const auto& k : copy->signers.signers)
    signers.push_back({{"key_id", k.key_id}, {"pubkey", to_hex(k.pubkey)}});
  ordered_json entries = ordered_json::array();
  for (const auto& e : copy->entries)
    entries.push_back(
        {{"measurement", to_hex(e.measurement)}, {"label", e.label}, {"expiry_height", e.expiry_height}});
  ordered_json revoked = ordered_json::array();
  for (const auto& m : copy->revoked)
    revoked.push_back(to_hex(m));
  return ordered_json{{"source", "db"},
                      {"db", path},
                      {"chain_id", copy->chain_id},
                      {"version", copy->version},
                      {"update_sha256", to_hex(copy->update_hash)},
                      {"threshold", copy->signers.threshold},
                      {"signers", signers},
                      {"entries", entries},
                      {"revoked", revoked}};
}

void print_entries(const ordered_json& entries) {
  for (const auto& e : entries)
    std::cout << "  " << e.value("measurement", "") << "  \"" << app::escape_text(e.value("label", ""))
              << "\"\n";
}

int run_show(const ShowArgs& a) {
  const int sources = (a.db.empty() ? 0 : 1) + (a.update.empty() ? 0 : 1) + (a.node.nodes.empty() ? 0 : 1);
  if (sources != 1)
    return fail(bad("show one thing: --db F, an update file, or --node URL"));
  if (!a.update.empty()) {
    auto u = app::read_update(a.update);
    if (!u)
      return fail(u.error());
    if (a.node.json)
      std::cout << app::update_json(*u).dump() << "\n";
    else
      std::cout << app::describe_update(*u);
    return kOk;
  }
  if (!a.db.empty()) {
    auto j = read_db(a.db, true);
    if (!j)
      return fail(j.error());
    if (a.node.json) {
      std::cout << j->dump() << "\n";
      return kOk;
    }
    std::cout << "allowlist copy " << a.db << ": chain \""
              << app::escape_text((*j)["chain_id"].get<std::string>()) << "\" version " << (*j)["version"]
              << " (update " << (*j)["update_sha256"].get<std::string>() << ")\n"
              << (*j)["entries"].size() << " entries, " << (*j)["revoked"].size() << " revoked, "
              << (*j)["signers"].size() << " pinned signers, threshold " << (*j)["threshold"] << "\n";
    print_entries((*j)["entries"]);
    return kOk;
  }
  auto client = make_client(a.node);
  if (!client)
    return fail(client.error());
  chain::rpc::SnpQueryRequest q;
  q.kind = chain::rpc::SnpQuery::kAllowlist;
  auto text = chain::rpc::query_snpattest_json(**client, q);
  if (!text)
    return fail(text.error());
  auto parsed = parse_json_strict<ordered_json>(*text, "the chain's allowlist");
  if (!parsed || !parsed->is_object())
    return fail(make_error("cli", "BAD_QUERY_REPLY",
                           parsed ? "the chain's allowlist is not a JSON object" : parsed.error().message,
                           ErrorKind::kUnavailable));
  ordered_json& j = *parsed;
  j["source"] = "node";
  if (a.node.json) {
    std::cout << j.dump() << "\n";
    return kOk;
  }
  std::cout << "chain allowlist version " << j.value("version", 0ULL) << " (update "
            << j.value("update_sha256", "") << ")\n";
  if (auto bytes = from_hex(j.value("update_bytes", "")); bytes && !bytes->empty())
    if (auto u = app::load_update(std::move(*bytes), "the chain's update"); u)
      std::cout << "latest " << app::describe_update(*u);
  std::cout << j["entries"].size() << " entries:\n";
  print_entries(j["entries"]);
  return kOk;
}

// ---- sync / verify-db ---------------------------------------------------------------------------

struct DbArgs {
  std::string db;
  std::string chain_id;
  PinnedArgs pinned;
  NodeArgs node;
};

// --db, else [allowlist] db_path of --config.
Result<std::string> db_path(const DbArgs& a, const config::Config* cfg) {
  if (!a.db.empty())
    return a.db;
  if (cfg != nullptr && !cfg->allowlist.db_path.empty())
    return cfg->allowlist.db_path;
  return bad("give --db F (or --config F with allowlist.db_path)");
}

// What sync and verify-db share: the configuration (when --config), the pinned set, the database path,
// and the chain id from --chain-id else chain.chain_id of the configuration (empty when neither).
struct DbTarget {
  std::optional<config::Config> storage;
  const config::Config* cfg = nullptr;  // points into storage
  al::SignerSet set;
  std::string path;
};

Status resolve_target(DbArgs& a, DbTarget& t) {
  auto cfg = pinned_config(a.pinned, t.storage);
  if (!cfg)
    return cfg.error();
  t.cfg = *cfg;
  auto set = pinned_set(a.pinned, t.cfg);
  if (!set)
    return set.error();
  t.set = std::move(*set);
  auto path = db_path(a, t.cfg);
  if (!path)
    return path.error();
  t.path = std::move(*path);
  if (a.chain_id.empty() && t.cfg != nullptr)
    a.chain_id = t.cfg->chain.chain_id;
  return ok_status();
}

int run_sync(DbArgs a) {
  DbTarget t;
  if (auto st = resolve_target(a, t); !st)
    return fail(st.error());
  // The path rule before the chain is asked: a device, FIFO or directory is refused untouched.
  if (auto st = check_database_path(t.path, "--db", false); !st)
    return fail(st.error());
  if (a.node.nodes.empty() && t.cfg != nullptr)
    a.node.nodes = t.cfg->chain.rpc;
  if (a.node.nodes.empty())
    return fail(bad("give --node URL (or --config F with chain.rpc)"));
  auto client = make_client(a.node);
  if (!client)
    return fail(client.error());
  if (a.chain_id.empty()) {
    auto status = (*client)->status();
    if (!status)
      return fail(status.error());
    a.chain_id = status->network;
  }
  // Ask the chain once before the database is opened (and, when new, created).
  al::ChainUpdateSource source(**client);
  if (auto probe = source.signers(); !probe)
    return fail(probe.error());
  auto store = al::Store::open(t.path, a.chain_id, t.set);
  if (!store)
    return fail(db_error(t.path, store.error()));
  auto report = al::sync(*store, source);
  if (!report)
    return fail(report.error());
  ordered_json out = {{"db", t.path},
                      {"chain_id", a.chain_id},
                      {"from_version", report->from_version},
                      {"to_version", report->to_version},
                      {"applied", report->applied},
                      {"entries", store->index()->size()},
                      {"chain_signers_differ", report->chain_signers_differ}};
  if (report->alarm)
    out["alarm"] = {{"code", report->alarm->code},
                    {"version", report->alarm->version},
                    {"message", report->alarm->message}};
  if (a.node.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::cout << "synced " << t.path << ": version " << report->from_version << " -> " << report->to_version
              << " (" << report->applied << " applied, " << store->index()->size() << " entries)\n";
    if (report->chain_signers_differ)
      std::cout
          << "warning: the chain's signer set differs from the pinned one; the pinned set stays in force\n";
  }
  if (report->alarm)
    return refused(make_error("allowlist", report->alarm->code,
                              "version " + std::to_string(report->alarm->version) +
                                  " refused: " + report->alarm->message + " (the copy stays at version " +
                                  std::to_string(report->to_version) + ")",
                              ErrorKind::kRejected));
  return kOk;
}

int run_verify_db(DbArgs a) {
  DbTarget t;
  if (auto st = resolve_target(a, t); !st)
    return fail(st.error());
  std::error_code ec;
  if (!std::filesystem::is_regular_file(t.path, ec))
    return fail(
        make_error("io", "NOT_FOUND", "--db " + t.path + " is not an existing file", ErrorKind::kInput));
  if (a.chain_id.empty()) {
    // The copy's own chain id: the signatures still tie every update to the chain it names.
    auto j = read_db(t.path, false);
    if (!j)
      return fail(j.error());
    a.chain_id = (*j)["chain_id"].get<std::string>();
  }
  auto check = al::verify_db(t.path, a.chain_id, t.set);
  if (!check)
    return fail(db_error(t.path, check.error()));
  ordered_json out = {{"db", t.path},
                      {"ok", check->ok},
                      {"versions_checked", check->versions_checked},
                      {"entries", check->entries}};
  if (!check->ok)
    out.update({{"bad_row", check->bad_row}, {"code", check->code}, {"message", check->message}});
  if (a.node.json)
    std::cout << out.dump() << "\n";
  else if (check->ok)
    std::cout << "OK: " << t.path << ": " << check->versions_checked
              << " updates re-verified from version 1, " << check->entries << " entries match\n";
  else
    std::cout << "BAD: " << t.path << ": first bad row: " << check->bad_row << "\n";
  if (!check->ok)
    return refused(make_error("allowlist", check->code.empty() ? "BAD_ROW" : check->code,
                              "first bad row: " + check->bad_row + ": " + check->message,
                              ErrorKind::kRejected));
  return kOk;
}

}  // namespace

void add_allowlist_db_commands(CLI::App* al_cmd, Outcome& outcome) {
  auto sh = std::make_shared<ShowArgs>();
  auto* c_show = al_cmd->add_subcommand("show", "Show an update file, the SQLite copy (--db) or the chain's");
  c_show->add_option("UPDATE", sh->update, "update.bin");
  c_show->add_option("--db", sh->db, "The relayer's allowlist database");
  add_node_flags(c_show, sh->node, false);
  c_show->callback([sh, &outcome] { outcome.exit_code = run_show(*sh); });

  auto sy = std::make_shared<DbArgs>();
  auto* c_sync = al_cmd->add_subcommand("sync", "Bring the SQLite copy to the chain's allowlist");
  c_sync->add_option("--db", sy->db, "Allowlist database (default: allowlist.db_path of --config)");
  c_sync->add_option("--chain-id", sy->chain_id, "Chain id (default: chain.chain_id, else the node's)");
  add_pinned_flags(c_sync, sy->pinned);
  add_node_flags(c_sync, sy->node, false);
  c_sync->callback([sy, &outcome] { outcome.exit_code = run_sync(*sy); });

  auto vd = std::make_shared<DbArgs>();
  auto* c_vdb =
      al_cmd->add_subcommand("verify-db", "Re-verify the SQLite copy from version 1 (exit 1 when bad)");
  c_vdb->add_option("--db", vd->db, "Allowlist database (default: allowlist.db_path of --config)");
  c_vdb->add_option("--chain-id", vd->chain_id, "Chain id (default: chain.chain_id, else the copy's own)");
  add_pinned_flags(c_vdb, vd->pinned);
  add_json_flag(c_vdb, vd->node.json);
  c_vdb->callback([vd, &outcome] { outcome.exit_code = run_verify_db(*vd); });
}

}  // namespace snprelay::cli
