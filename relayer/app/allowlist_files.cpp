#include "relayer/app/allowlist_files.hpp"

#include <set>

#include "allowlist/codec.hpp"
#include "allowlist/verify.hpp"
#include "common/file_io.hpp"
#include "common/json_strict.hpp"
#include "relayer/app/text.hpp"

namespace snprelay::app {

using nlohmann::ordered_json;
namespace al = allowlist;

Error bad_input(const std::string& message) {
  return make_error("app", "BAD_INPUT", message, ErrorKind::kInput);
}

Result<LoadedUpdate> load_update(Bytes bytes, const std::string& where) {
  auto update = al::decode_update(bytes);
  if (!update)
    return bad_input(where + " is not a valid allowlist update: " + update.error().message);
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

Result<ordered_json> read_json_object(const std::string& path, const std::string& what) {
  auto bytes = read_input_file(path, kMaxAllowlistJsonFile, what);
  if (!bytes)
    return bytes.error();
  // A syntax error says what was expected; a duplicate key names the key (json_strict.hpp).
  auto j = parse_json_strict<ordered_json>(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), path);
  if (!j && j.error().code == "DUPLICATE_KEY")
    return bad_input(j.error().message);
  if (!j)
    return bad_input(path + " is not a JSON object (expected " + what + "); " + j.error().message);
  if (!j->is_object())
    return bad_input(path + " is not a JSON object (expected " + what + ")");
  return j;
}

Result<std::string> json_string(const ordered_json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    return bad_input(where + ": \"" + key + "\" is missing or not a string");
  return it->get<std::string>();
}

Result<Bytes> json_hex(const ordered_json& j, const char* key, std::size_t size, const std::string& where) {
  auto text = json_string(j, key, where);
  if (!text)
    return text.error();
  auto bytes = from_hex(*text);
  if (!bytes || (size != 0 && bytes->size() != size))
    return bad_input(where + ": \"" + key + "\" is not " +
                     (size != 0 ? std::to_string(size) + " bytes of hex" : std::string("hex")));
  return bytes;
}

namespace {

Result<SigFile> signature_of(const ordered_json& j, const std::string& where) {
  SigFile s;
  s.origin = where;
  auto id = json_string(j, "key_id", where);
  if (!id)
    return id.error();
  if (id->empty())
    return bad_input(where + ": \"key_id\" is empty");
  s.sig.key_id = *id;
  auto sig = json_hex(j, "signature", al::kSignatureSize, where);
  if (!sig)
    return sig.error();
  s.sig.signature = std::move(*sig);
  if (j.contains("pubkey")) {
    auto pub = json_hex(j, "pubkey", al::kPubKeySize, where);
    if (!pub)
      return pub.error();
    s.pubkey = std::move(*pub);
  }
  return s;
}

}  // namespace

Result<std::vector<SigFile>> read_signatures(const std::vector<std::string>& paths,
                                             const LoadedUpdate& update) {
  std::vector<SigFile> out;
  std::set<std::string> seen;
  const std::string want = to_hex(update.hash);
  for (const auto& path : paths) {
    auto j = read_json_object(path, "a signature file (sig.json)");
    if (!j)
      return j.error();
    auto sha = json_string(*j, "update_sha256", path);
    if (!sha)
      return sha.error();
    if (*sha != want)
      return bad_input(path + " signs update " + escape_text(*sha) + ", not this update (" + want + ")");
    std::vector<ordered_json> items;
    if (const auto list = j->find("signatures"); list != j->end()) {
      if (!list->is_array())
        return bad_input(path + ": \"signatures\" is not a list");
      items.assign(list->begin(), list->end());
    } else {
      items.push_back(*j);
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string where = items.size() == 1 ? path : path + " signatures[" + std::to_string(i) + "]";
      if (!items[i].is_object())
        return bad_input(where + " is not a JSON object");
      auto s = signature_of(items[i], where);
      if (!s)
        return s.error();
      if (!seen.insert(s->sig.key_id).second)
        return bad_input(where + ": key id \"" + escape_text(s->sig.key_id) +
                         "\" signed twice; each signer counts once, give its signature once");
      if (!s->pubkey.empty()) {
        const al::SignerSet own{{{s->sig.key_id, s->pubkey}}, 1};
        if (auto ok = al::check_signatures(update.bytes, {s->sig}, own); !ok)
          return bad_input(where + ": the signature of \"" + escape_text(s->sig.key_id) +
                           "\" does not verify under its pubkey over this update");
      }
      out.push_back(std::move(*s));
    }
  }
  return out;
}

namespace {

// `--threshold` may ask for more signatures than the set's own threshold, never fewer (issue 21: `verify
// --threshold 1` passed an update the set requires three signatures for).
Status threshold_only_raises(std::optional<std::uint32_t> given, std::optional<std::uint32_t> own,
                             const std::string& where) {
  if (given && own && *given < *own)
    return bad_input("--threshold " + std::to_string(*given) + " is below the threshold " +
                     std::to_string(*own) + " of " + where + "; --threshold may raise it, never lower it");
  return ok_status();
}

}  // namespace

Result<al::SignerSet> signer_set_from_file(const std::string& path, std::optional<std::uint32_t> threshold) {
  al::SignerSet set;
  auto j = read_json_object(path, "a signer set");
  if (!j)
    return j.error();
  const auto list = j->find("signers");
  if (list == j->end() || !list->is_array())
    return bad_input(path + ": \"signers\" is missing or not a list");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string where = path + " signers[" + std::to_string(i) + "]";
    if (!(*list)[i].is_object())
      return bad_input(where + " is not a JSON object");
    auto id = json_string((*list)[i], "key_id", where);
    if (!id)
      return id.error();
    auto pub = json_hex((*list)[i], "pubkey", al::kPubKeySize, where);
    if (!pub)
      return pub.error();
    set.signers.push_back({*id, std::move(*pub)});
  }
  std::optional<std::uint32_t> own;
  if (const auto t = j->find("threshold"); t != j->end()) {
    if (!t->is_number_unsigned() || t->get<std::uint64_t>() > UINT32_MAX)
      return bad_input(path + ": \"threshold\" is not a number in [1, 2^32-1]");
    own = t->get<std::uint32_t>();
  }
  if (!threshold && !own)
    return bad_input(path + " has no \"threshold\"; give one (--threshold T)");
  set.threshold = threshold ? *threshold : *own;
  if (auto st = al::validate_signer_set(set); !st)
    return st.error();
  if (auto st = threshold_only_raises(threshold, own, path); !st)
    return st.error();
  return set;
}

Result<al::SignerSet> signer_set_from_config(const config::Config& config, const std::string& source,
                                             std::optional<std::uint32_t> threshold) {
  if (config.allowlist.signers.empty())
    return bad_input(source + " has no [allowlist.signers]; add them or give a signer set file");
  al::SignerSet set;
  for (const auto& s : config.allowlist.signers) {
    auto pub = from_hex(s.pubkey);
    if (!pub)
      return bad_input(source + ": allowlist.signers." + s.key_id + " is not hex");
    set.signers.push_back({s.key_id, std::move(*pub)});
  }
  const auto own = static_cast<std::uint32_t>(config.allowlist.threshold);
  set.threshold = threshold ? *threshold : own;
  if (auto st = al::validate_signer_set(set); !st)
    return st.error();
  if (auto st = threshold_only_raises(threshold, own, source + " [allowlist] threshold"); !st)
    return st.error();
  return set;
}

namespace {

ordered_json entry_json(const al::Entry& e) {
  return {{"measurement", to_hex(e.measurement)}, {"label", e.label},
          {"min_guest_svn", e.min_guest_svn},     {"policy_mask", e.policy_mask},
          {"policy_value", e.policy_value},       {"family_id", to_hex(e.family_id)},
          {"image_id", to_hex(e.image_id)},       {"host_data", to_hex(e.host_data)},
          {"expiry_height", e.expiry_height}};
}

}  // namespace

ordered_json update_json(const LoadedUpdate& u) {
  ordered_json add = ordered_json::array();
  for (const auto& e : u.update.add)
    add.push_back(entry_json(e));
  ordered_json revoke = ordered_json::array();
  for (const auto& m : u.update.revoke)
    revoke.push_back(to_hex(m));
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
          {"prev_hash", to_hex(u.update.prev_hash)},
          {"add", add},
          {"revoke", revoke},
          {"min_tcb", tcb},
          {"valid_until_height", u.update.valid_until_height},
          {"memo", u.update.memo},
          {"update_sha256", to_hex(u.hash)},
          {"signing_digest", to_hex(al::signing_digest(u.bytes))}};
}

std::string describe_update(const LoadedUpdate& u) {
  const al::Update& x = u.update;
  std::string out = "allowlist update version " + std::to_string(x.version) + " for chain \"" +
                    escape_text(x.chain_id) + "\"\n";
  out +=
      "  follows update " + to_hex(x.prev_hash) + (x.version == 1 ? " (none: the first update)" : "") + "\n";
  for (const auto& e : x.add)
    out += "  ADD    " + to_hex(e.measurement) +
           (e.label.empty() ? "" : "  \"" + escape_text(e.label) + "\"") +
           (e.expiry_height != 0 ? "  expires at height " + std::to_string(e.expiry_height) : "") + "\n";
  for (const auto& m : x.revoke)
    out += "  REVOKE " + to_hex(m) + "\n";
  for (const auto& t : x.min_tcb)
    out += "  MIN TCB " + escape_text(t.product) + ": boot_loader " + std::to_string(t.boot_loader) +
           ", tee " + std::to_string(t.tee) + ", snp " + std::to_string(t.snp) + ", microcode " +
           std::to_string(t.microcode) + ", fmc " + std::to_string(t.fmc) + "\n";
  out += x.valid_until_height == 0 ? std::string("  valid until: no deadline\n")
                                   : "  valid until height " + std::to_string(x.valid_until_height) + "\n";
  if (!x.memo.empty())
    out += "  memo: \"" + escape_text(x.memo) + "\"\n";
  out += "  update sha256 " + to_hex(u.hash) + "\n";
  return out;
}

}  // namespace snprelay::app
