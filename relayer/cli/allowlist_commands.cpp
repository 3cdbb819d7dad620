// `snprelay allowlist ...` (issue #12): the governance tools around the signed measurement allowlist.
//   new        build an AllowlistUpdate (--add MEAS[:label], --revoke MEAS, --min-tcb ...) -> update.bin;
//              --from-chain takes version = chain + 1 and prev_hash from the chain's current update
//   sign       one governance key signs update.bin (offline; the key store's protection modes); what is
//              being signed is printed in words on standard error first -> sig.json
//   combine    update.bin + sig*.json -> msg.json (the MsgUpdateAllowlist body)
//   verify     update.bin + sig*.json against a signer set and threshold (exit 1 below threshold)
//   submit     broadcast msg.json as MsgUpdateAllowlist and report what the chain did
//   show       an update file, the relayer's SQLite copy, or the chain's current allowlist
//   sync       bring the SQLite copy to the chain's version (pinned signers; alarms exit 1)
//   measure    the measurement of a report and the `--add` argument for `new`
//   verify-db  re-verify the SQLite copy from version 1; names the first bad row (exit 1)
// File formats (JSON, bytes as lower-case hex):
//   sig.json   {"key_id","pubkey","signature","update_sha256","chain_id","version"}
//   msg.json   {"type","chain_id","version","update_sha256","update_bytes","signatures":[{key_id,signature}]}
//   signers    {"signers":[{"key_id","pubkey"}],"threshold"} (`query snpattest signers --json`, devnet.json)
// Bad input (a flag, a file, a signer set) is refused before anything is written: exit 2, any database
// untouched. The logic is allowlist/'s; this file reads, checks, prints.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "allowlist/codec.hpp"
#include "allowlist/store.hpp"
#include "allowlist/sync.hpp"
#include "allowlist/verify.hpp"
#include "attest/report.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "chain/rpc/tx_delivery.hpp"
#include "common/file_io.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/app/text.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/cli_options.hpp"
#include "relayer/cli/tx_options.hpp"

namespace snprelay::cli {
namespace {

using nlohmann::ordered_json;
namespace al = allowlist;

constexpr std::size_t kMaxUpdateFile = std::size_t{32} * 1024 * 1024;
constexpr std::size_t kMaxJsonFile = 2 * kMaxUpdateFile + std::size_t{1024} * 1024;

Error bad(const std::string& message) {
  return usage_error("BAD_INPUT", message);
}

// An error opening or reading the file named by --db. When it says the file is not an allowlist copy
// (missing directory, not SQLite, a newer schema, another table layout), the operator named the wrong
// file: kInput, the library's code and message kept. Anything else (a failing disk) keeps its kind.
Error db_error(const std::string& path, const Error& e) {
  const bool wrong_file = e.component == "db" && (e.code == "OPEN_FAILED" || e.code == "CORRUPT" ||
                                                  e.code == "SCHEMA_TOO_NEW" || e.code == "PREPARE_FAILED");
  return make_error(e.component, e.code, "--db " + path + ": " + e.message,
                    wrong_file ? ErrorKind::kInput : e.kind);
}

std::string hex(std::span<const std::uint8_t> b) {
  return to_hex(b);
}

// ---- inputs -----------------------------------------------------------------------------------

struct LoadedUpdate {
  Bytes bytes;
  al::Update update;
  al::UpdateHash hash{};
};

Result<LoadedUpdate> load_update(Bytes bytes, const std::string& where) {
  auto update = al::decode_update(bytes);
  if (!update)
    return bad(where + " is not a valid allowlist update: " + update.error().message);
  LoadedUpdate out;
  out.hash = al::update_hash(bytes);
  out.bytes = std::move(bytes);
  out.update = std::move(*update);
  return out;
}

Result<LoadedUpdate> read_update(const std::string& path) {
  auto bytes = read_input_file(path, kMaxUpdateFile, "allowlist update");
  if (!bytes)
    return bytes.error();
  return load_update(std::move(*bytes), path);
}

Result<ordered_json> read_json(const std::string& path, const std::string& what) {
  auto bytes = read_input_file(path, kMaxJsonFile, what);
  if (!bytes)
    return bytes.error();
  auto j = ordered_json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return bad(path + " is not a JSON object (expected " + what + ")");
  return j;
}

Result<std::string> get_string(const ordered_json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    return bad(where + ": \"" + key + "\" is missing or not a string");
  return it->get<std::string>();
}

// Hex bytes under `key`: exactly `size` bytes, or any length when size is 0.
Result<Bytes> get_hex(const ordered_json& j, const char* key, std::size_t size, const std::string& where) {
  auto text = get_string(j, key, where);
  if (!text)
    return text.error();
  auto bytes = from_hex(*text);
  if (!bytes || (size != 0 && bytes->size() != size))
    return bad(where + ": \"" + key + "\" is not " +
               (size != 0 ? std::to_string(size) + " bytes of hex" : std::string("hex")));
  return bytes;
}

// One signature as read from a sig.json (or from a msg.json's list); pubkey empty when not given.
struct SigFile {
  al::Signature sig;
  Bytes pubkey;
  std::string origin;
};

Result<SigFile> signature_of(const ordered_json& j, const std::string& where) {
  SigFile s;
  s.origin = where;
  auto id = get_string(j, "key_id", where);
  if (!id)
    return id.error();
  if (id->empty())
    return bad(where + ": \"key_id\" is empty");
  s.sig.key_id = *id;
  auto sig = get_hex(j, "signature", al::kSignatureSize, where);
  if (!sig)
    return sig.error();
  s.sig.signature = std::move(*sig);
  if (j.contains("pubkey")) {
    auto pub = get_hex(j, "pubkey", al::kPubKeySize, where);
    if (!pub)
      return pub.error();
    s.pubkey = std::move(*pub);
  }
  return s;
}

// The signatures of `paths` (sig.json files, or msg.json files carrying a "signatures" list), each
// checked to be over `update`: its update_sha256 must match, a given pubkey must verify it, and no key
// id may appear twice.
Result<std::vector<SigFile>> read_signatures(const std::vector<std::string>& paths,
                                             const LoadedUpdate& update) {
  std::vector<SigFile> out;
  std::set<std::string> seen;
  const std::string want = hex(update.hash);
  for (const auto& path : paths) {
    auto j = read_json(path, "a signature file (sig.json)");
    if (!j)
      return j.error();
    auto sha = get_string(*j, "update_sha256", path);
    if (!sha)
      return sha.error();
    if (*sha != want)
      return bad(path + " signs update " + app::escape_text(*sha) + ", not this update (" + want + ")");
    std::vector<ordered_json> items;
    if (const auto list = j->find("signatures"); list != j->end()) {
      if (!list->is_array())
        return bad(path + ": \"signatures\" is not a list");
      items.assign(list->begin(), list->end());
    } else {
      items.push_back(*j);
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string where = items.size() == 1 ? path : path + " signatures[" + std::to_string(i) + "]";
      if (!items[i].is_object())
        return bad(where + " is not a JSON object");
      auto s = signature_of(items[i], where);
      if (!s)
        return s.error();
      if (!seen.insert(s->sig.key_id).second)
        return bad(where + ": key id \"" + app::escape_text(s->sig.key_id) +
                   "\" signed twice; each signer counts once, give its signature once");
      if (!s->pubkey.empty()) {
        const al::SignerSet own{{{s->sig.key_id, s->pubkey}}, 1};
        if (auto ok = al::check_signatures(update.bytes, {s->sig}, own); !ok)
          return bad(where + ": the signature of \"" + app::escape_text(s->sig.key_id) +
                     "\" does not verify under its pubkey over this update");
      }
      out.push_back(std::move(*s));
    }
  }
  return out;
}

// ---- the pinned signer set: --signers F [--threshold T], or [allowlist] of --config --------------

struct PinnedArgs {
  std::string signers_file;
  std::optional<std::uint64_t> threshold;
  std::string config;
};

void add_pinned_flags(CLI::App* cmd, PinnedArgs& a) {
  cmd->add_option("--signers", a.signers_file,
                  "Signer set file {\"signers\":[{\"key_id\",\"pubkey\"}],\"threshold\"} (`query snpattest "
                  "signers --json`, devnet.json)");
  cmd->add_option("--threshold", a.threshold, "Signatures required (default: the --signers file's)")
      ->check(strict_unsigned(UINT32_MAX));
  cmd->add_option("--config", a.config,
                  "Configuration: [allowlist] signers, threshold, db_path and chain.chain_id");
}

// The configuration named by --config, or nullptr when none was given.
Result<const config::Config*> pinned_config(const PinnedArgs& a, std::optional<config::Config>& storage) {
  if (a.config.empty())
    return static_cast<const config::Config*>(nullptr);
  return use_config(a.config, nullptr, storage);
}

Result<al::SignerSet> pinned_set(const PinnedArgs& a, const config::Config* cfg) {
  al::SignerSet set;
  if (!a.signers_file.empty()) {
    auto j = read_json(a.signers_file, "a signer set");
    if (!j)
      return j.error();
    const auto list = j->find("signers");
    if (list == j->end() || !list->is_array())
      return bad(a.signers_file + ": \"signers\" is missing or not a list");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string where = a.signers_file + " signers[" + std::to_string(i) + "]";
      if (!(*list)[i].is_object())
        return bad(where + " is not a JSON object");
      auto id = get_string((*list)[i], "key_id", where);
      if (!id)
        return id.error();
      auto pub = get_hex((*list)[i], "pubkey", al::kPubKeySize, where);
      if (!pub)
        return pub.error();
      set.signers.push_back({*id, std::move(*pub)});
    }
    if (a.threshold) {
      set.threshold = static_cast<std::uint32_t>(*a.threshold);
    } else if (const auto t = j->find("threshold");
               t != j->end() && t->is_number_unsigned() && t->get<std::uint64_t>() <= UINT32_MAX) {
      set.threshold = t->get<std::uint32_t>();
    } else {
      return bad(a.signers_file + " has no \"threshold\"; give --threshold T");
    }
  } else if (cfg != nullptr && !cfg->allowlist.signers.empty()) {
    for (const auto& s : cfg->allowlist.signers) {
      auto pub = from_hex(s.pubkey);
      if (!pub)
        return bad(a.config + ": allowlist.signers." + s.key_id + " is not hex");
      set.signers.push_back({s.key_id, std::move(*pub)});
    }
    set.threshold = a.threshold ? static_cast<std::uint32_t>(*a.threshold)
                                : static_cast<std::uint32_t>(cfg->allowlist.threshold);
  } else {
    return bad(cfg != nullptr ? a.config + " has no [allowlist.signers]; add them or give --signers F"
                              : "no signer set: give --signers F [--threshold T], or --config F with "
                                "[allowlist.signers] and threshold");
  }
  if (auto st = al::validate_signer_set(set); !st)
    return st.error();
  return set;
}

// ---- rendering --------------------------------------------------------------------------------

ordered_json entry_json(const al::Entry& e) {
  return {{"measurement", hex(e.measurement)}, {"label", e.label},
          {"min_guest_svn", e.min_guest_svn},  {"policy_mask", e.policy_mask},
          {"policy_value", e.policy_value},    {"family_id", hex(e.family_id)},
          {"image_id", hex(e.image_id)},       {"host_data", hex(e.host_data)},
          {"expiry_height", e.expiry_height}};
}

ordered_json update_json(const LoadedUpdate& u) {
  ordered_json add = ordered_json::array();
  for (const auto& e : u.update.add)
    add.push_back(entry_json(e));
  ordered_json revoke = ordered_json::array();
  for (const auto& m : u.update.revoke)
    revoke.push_back(hex(m));
  ordered_json tcb = ordered_json::array();
  for (const auto& t : u.update.min_tcb)
    tcb.push_back({{"product", t.product},
                   {"boot_loader", t.boot_loader},
                   {"tee", t.tee},
                   {"snp", t.snp},
                   {"microcode", t.microcode},
                   {"fmc", t.fmc}});
  return {{"chain_id", u.update.chain_id},
          {"version", u.update.version},
          {"prev_hash", hex(u.update.prev_hash)},
          {"add", add},
          {"revoke", revoke},
          {"min_tcb", tcb},
          {"valid_until_height", u.update.valid_until_height},
          {"memo", u.update.memo},
          {"update_sha256", hex(u.hash)},
          {"signing_digest", hex(al::signing_digest(u.bytes))}};
}

// The update in words, one fact a line (what a signer reads before signing).
std::string describe(const LoadedUpdate& u) {
  const al::Update& x = u.update;
  std::string out = "allowlist update version " + std::to_string(x.version) + " for chain \"" +
                    app::escape_text(x.chain_id) + "\"\n";
  out += "  follows update " + hex(x.prev_hash) + (x.version == 1 ? " (none: the first update)" : "") + "\n";
  for (const auto& e : x.add)
    out += "  ADD    " + hex(e.measurement) +
           (e.label.empty() ? "" : "  \"" + app::escape_text(e.label) + "\"") +
           (e.expiry_height != 0 ? "  expires at height " + std::to_string(e.expiry_height) : "") + "\n";
  for (const auto& m : x.revoke)
    out += "  REVOKE " + hex(m) + "\n";
  for (const auto& t : x.min_tcb)
    out += "  MIN TCB " + app::escape_text(t.product) + ": boot_loader " + std::to_string(t.boot_loader) +
           ", tee " + std::to_string(t.tee) + ", snp " + std::to_string(t.snp) + ", microcode " +
           std::to_string(t.microcode) + ", fmc " + std::to_string(t.fmc) + "\n";
  out += x.valid_until_height == 0 ? std::string("  valid until: no deadline\n")
                                   : "  valid until height " + std::to_string(x.valid_until_height) + "\n";
  if (!x.memo.empty())
    out += "  memo: \"" + app::escape_text(x.memo) + "\"\n";
  out += "  update sha256 " + hex(u.hash) + "\n";
  return out;
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
  const std::string product = text.substr(0, colon);
  if (colon == std::string::npos || (product != "Milan" && product != "Genoa" && product != "Turin"))
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
  return al::ProductTcb{product, v[0], v[1], v[2], v[3], v.size() == 5 ? v[4] : 0};
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
    const auto j = ordered_json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.contains("version") || !j["version"].is_number_unsigned())
      return make_error("cli", "BAD_QUERY_REPLY", "the chain's allowlist query did not answer a version",
                        ErrorKind::kUnavailable);
    version = j["version"].get<std::uint64_t>();
    if (version > 0) {
      auto sha = get_hex(j, "update_sha256", al::kHashSize, "the chain's allowlist");
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
  auto u = build_update(a);
  if (!u)
    return fail(u.error());
  if (a.from_chain)
    if (auto st = from_chain(a, *u); !st)
      return fail(st.error());
  if (auto st = al::validate_shape(*u); !st)
    return fail(bad(st.error().message));
  auto loaded = load_update(al::encode_update(*u), "the new update");
  if (!loaded)
    return fail(loaded.error());
  if (auto st = write_file_atomic(a.out, std::span<const std::uint8_t>(loaded->bytes), 0644); !st)
    return fail(st.error());
  if (a.node.json) {
    ordered_json j = update_json(*loaded);
    j["file"] = a.out;
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "wrote " << a.out << "\n" << describe(*loaded);
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
  auto u = read_update(a.update);
  if (!u)
    return fail(u.error());
  const std::string key_id = a.key_id.empty() ? a.key : a.key_id;
  std::cerr << "signing as \"" << app::escape_text(key_id) << "\" (key " << app::escape_text(a.key) << "):\n"
            << describe(*u);
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
                            {"pubkey", hex(key->public_key)},
                            {"signature", hex(sig->signature)},
                            {"update_sha256", hex(u->hash)},
                            {"chain_id", u->update.chain_id},
                            {"version", u->update.version}};
  if (auto st = write_json(a.out, out); !st)
    return fail(st.error());
  if (a.json)
    std::cout << out.dump() << "\n";
  else
    std::cout << "wrote " << a.out << ": \"" << app::escape_text(key_id) << "\" signed update "
              << hex(u->hash) << "\n";
  return kOk;
}

// ---- combine / verify ---------------------------------------------------------------------------

struct CombineArgs {
  std::string update;
  std::vector<std::string> sigs;
  std::string out;
  PinnedArgs pinned;
  bool json = false;
};

// The update and signature files of combine and verify, each signature checked by read_signatures.
struct SignedUpdate {
  LoadedUpdate update;
  std::vector<SigFile> sigs;
};

Result<SignedUpdate> read_signed(const CombineArgs& a) {
  auto u = read_update(a.update);
  if (!u)
    return u.error();
  auto sigs = read_signatures(a.sigs, *u);
  if (!sigs)
    return sigs.error();
  return SignedUpdate{std::move(*u), std::move(*sigs)};
}

int run_combine(const CombineArgs& a) {
  auto in = read_signed(a);
  if (!in)
    return fail(in.error());
  const LoadedUpdate* u = &in->update;
  const std::vector<SigFile>* sigs = &in->sigs;
  ordered_json list = ordered_json::array();
  for (const auto& s : *sigs)
    list.push_back({{"key_id", s.sig.key_id}, {"signature", hex(s.sig.signature)}});
  const ordered_json msg = {{"type", al::kMsgUpdateAllowlistType}, {"chain_id", u->update.chain_id},
                            {"version", u->update.version},        {"update_sha256", hex(u->hash)},
                            {"update_bytes", hex(u->bytes)},       {"signatures", list}};
  if (auto st = write_json(a.out, msg); !st)
    return fail(st.error());
  if (a.json)
    std::cout
        << ordered_json{{"file", a.out}, {"update_sha256", hex(u->hash)}, {"signatures", sigs->size()}}.dump()
        << "\n";
  else
    std::cout << "wrote " << a.out << ": update " << hex(u->hash) << " with " << sigs->size()
              << " signature(s)\n";
  return kOk;
}

int run_verify(const CombineArgs& a) {
  auto in = read_signed(a);
  if (!in)
    return fail(in.error());
  const LoadedUpdate* u = &in->update;
  const std::vector<SigFile>* sigs = &in->sigs;
  std::optional<config::Config> storage;
  auto cfg = pinned_config(a.pinned, storage);
  if (!cfg)
    return fail(cfg.error());
  auto set = pinned_set(a.pinned, *cfg);
  if (!set)
    return fail(set.error());
  std::vector<al::Signature> plain;
  for (const auto& s : *sigs)
    plain.push_back(s.sig);
  auto ids = al::check_signatures(u->bytes, plain, *set);
  if (!ids)
    return fail(ids.error());
  if (a.json) {
    std::cout << ordered_json{{"ok", true},
                              {"update_sha256", hex(u->hash)},
                              {"threshold", set->threshold},
                              {"signer_ids", *ids}}
                     .dump()
              << "\n";
  } else {
    std::cout << "OK: " << ids->size() << " of " << set->threshold << " required signatures valid (";
    for (std::size_t i = 0; i < ids->size(); ++i)
      std::cout << (i == 0 ? "" : ", ") << app::escape_text((*ids)[i]);
    std::cout << ") on update " << hex(u->hash) << "\n";
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
  LoadedUpdate update;
  std::vector<al::Signature> signatures;
};

Result<LoadedMsg> read_msg(const std::string& path) {
  auto j = read_json(path, "an allowlist message (msg.json from `allowlist combine`)");
  if (!j)
    return j.error();
  auto bytes = get_hex(*j, "update_bytes", 0, path);
  if (!bytes)
    return bytes.error();
  auto update = load_update(std::move(*bytes), path + " update_bytes");
  if (!update)
    return update.error();
  LoadedMsg out;
  out.update = std::move(*update);
  auto sigs = read_signatures({path}, out.update);
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
                            {"update_sha256", hex(msg->update.hash)}};
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

// ---- show ---------------------------------------------------------------------------------------

struct ShowArgs {
  std::string db;
  std::string update;
  NodeArgs node;
};

// The relayer's SQLite copy, read-only: where it stands and what it holds.
Result<ordered_json> read_db(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error("io", "NOT_FOUND", "--db " + path + " does not exist", ErrorKind::kInput);
  db::OpenOptions options;
  options.read_only = true;
  auto db = db::Database::open(path, al::store_migrations(), options);
  if (!db)
    return db_error(path, db.error());
  ordered_json out = {{"source", "db"}, {"db", path}};
  auto rows = [&](const char* sql, auto each) -> Status {
    auto st = db->prepare(sql);
    if (!st)
      return st.error();
    for (;;) {
      auto step = st->step();
      if (!step)
        return step.error();
      if (*step == db::Statement::Step::kDone)
        return ok_status();
      each(*st);
    }
  };
  Status s = rows("SELECT chain_id, version, update_hash, threshold FROM meta WHERE id = 1",
                  [&](const db::Statement& r) {
                    out["chain_id"] = r.column_text(0);
                    out["version"] = r.column_int(1);
                    out["update_sha256"] = hex(r.column_blob(2));
                    out["threshold"] = r.column_int(3);
                  });
  if (s && !out.contains("version"))
    return bad("--db " + path + " is an empty allowlist database (no meta row)");
  ordered_json signers = ordered_json::array();
  ordered_json entries = ordered_json::array();
  ordered_json revoked = ordered_json::array();
  if (s)
    s = rows("SELECT key_id, pubkey FROM signers ORDER BY key_id", [&](const db::Statement& r) {
      signers.push_back({{"key_id", r.column_text(0)}, {"pubkey", hex(r.column_blob(1))}});
    });
  if (s)
    s = rows("SELECT measurement, label, expiry_height, version FROM entries ORDER BY measurement",
             [&](const db::Statement& r) {
               entries.push_back({{"measurement", hex(r.column_blob(0))},
                                  {"label", r.column_text(1)},
                                  {"expiry_height", r.column_int(2)},
                                  {"version", r.column_int(3)}});
             });
  if (s)
    s = rows("SELECT measurement FROM revoked ORDER BY measurement",
             [&](const db::Statement& r) { revoked.push_back(hex(r.column_blob(0))); });
  if (!s)
    return db_error(path, s.error());
  out["signers"] = signers;
  out["entries"] = entries;
  out["revoked"] = revoked;
  return out;
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
    auto u = read_update(a.update);
    if (!u)
      return fail(u.error());
    if (a.node.json)
      std::cout << update_json(*u).dump() << "\n";
    else
      std::cout << describe(*u);
    return kOk;
  }
  if (!a.db.empty()) {
    auto j = read_db(a.db);
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
  auto j = ordered_json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(
        make_error("cli", "BAD_QUERY_REPLY", "the chain's allowlist is not JSON", ErrorKind::kUnavailable));
  j["source"] = "node";
  if (a.node.json) {
    std::cout << j.dump() << "\n";
    return kOk;
  }
  std::cout << "chain allowlist version " << j.value("version", 0ULL) << " (update "
            << j.value("update_sha256", "") << ")\n";
  if (auto bytes = from_hex(j.value("update_bytes", "")); bytes && !bytes->empty())
    if (auto u = load_update(std::move(*bytes), "the chain's update"); u)
      std::cout << "latest " << describe(*u);
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
    auto j = read_db(t.path);
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

// ---- measure ------------------------------------------------------------------------------------

struct MeasureArgs {
  std::string report;
  std::string label;
  bool json = false;
};

int run_measure(const MeasureArgs& a) {
  auto raw = read_input_file(a.report, kMaxReportFileBytes, "report");
  if (!raw)
    return fail(raw.error());
  auto report = attest::parse_report(*raw);
  if (!report)
    return fail(report.error());
  const std::string m = hex(report->measurement);
  const std::string add = m + (a.label.empty() ? "" : ":" + a.label);
  if (a.json)
    std::cout << ordered_json{{"measurement", m}, {"add", add}}.dump() << "\n";
  else
    std::cout << "measurement: " << m << "\n--add " << app::escape_text(add) << "\n";
  return kOk;
}

// ---- registration -------------------------------------------------------------------------------

void add_json_flag(CLI::App* cmd, bool& json) {
  cmd->add_flag("--json", json, "Print JSON");
}

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
  c_ver->callback([v, &outcome] { outcome.exit_code = run_verify(*v); });

  auto sub = std::make_shared<SubmitArgs>();
  auto* c_sub = al_cmd->add_subcommand("submit", "Broadcast msg.json as MsgUpdateAllowlist");
  c_sub->add_option("MSG", sub->msg, "msg.json from `allowlist combine`")->required();
  add_signer_flags(c_sub, sub->signer);
  add_node_flags(c_sub, sub->node);
  c_sub->callback([sub, &outcome] { outcome.exit_code = run_submit(*sub); });

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

  auto me = std::make_shared<MeasureArgs>();
  auto* c_meas = al_cmd->add_subcommand("measure", "A report's measurement and its `allowlist new --add`");
  c_meas->add_option("REPORT", me->report, "1184-byte report file")->required();
  c_meas->add_option("--label", me->label, "Label for the --add line");
  add_json_flag(c_meas, me->json);
  c_meas->callback([me, &outcome] { outcome.exit_code = run_measure(*me); });

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
