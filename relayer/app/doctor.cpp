// The doctor's checks (doctor.hpp): each builds what it needs from the configuration, bounded in time,
// and leaves its findings in the Context for the checks after it.
#include "relayer/app/doctor.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "allowlist/store.hpp"
#include "allowlist/sync.hpp"
#include "attest/kds/http_fetcher.hpp"
#include "attest/report.hpp"
#include "attest/tpm/tpm.hpp"
#include "chain/rpc/comet_client.hpp"
#include "chain/rpc/curl_transport.hpp"
#include "chain/rpc/snpattest_queries.hpp"
#include "common/process_lock.hpp"
#include "relayer/app/allowlist_files.hpp"
#include "relayer/app/evidence.hpp"
#include "relayer/app/keys.hpp"
#include "relayer/app/text.hpp"
#include "relayer/app/tpm.hpp"

namespace snprelay::app {
namespace {

namespace fs = std::filesystem;
using chain::rpc::SnpQuery;
using chain::rpc::SnpQueryRequest;

CheckResult ok(std::string name, std::string detail) {
  return {std::move(name), CheckLevel::kOk, std::move(detail)};
}
CheckResult warn(std::string name, std::string detail) {
  return {std::move(name), CheckLevel::kWarn, std::move(detail)};
}
CheckResult fail(std::string name, std::string detail) {
  return {std::move(name), CheckLevel::kFail, std::move(detail)};
}

const char* mode_name(config::HardwareMode mode) {
  switch (mode) {
    case config::HardwareMode::kRequire:
      return "require";
    case config::HardwareMode::kAuto:
      return "auto";
    case config::HardwareMode::kSimulate:
      return "simulate";
  }
  return "?";
}

// What the checks learn for the ones after them.
struct Context {
  Context(const config::Config& config, std::string config_path, DoctorOptions o)
      : c(config), path(std::move(config_path)), options(o) {}
  const config::Config& c;
  std::string path;
  DoctorOptions options;
  std::optional<attest::Evidence> evidence;
  std::shared_ptr<chain::rpc::CurlTransport> transport = std::make_shared<chain::rpc::CurlTransport>();
  std::unique_ptr<chain::rpc::CometClient> chain;  // set when some endpoint serves the right chain
  std::optional<chain::keys::KeyInfo> key;
  KeyDefaults defaults;
  std::shared_ptr<const allowlist::Index> index;  // the local copy, when it exists and opened
  bool index_current = false;                     // ... and is at the chain's version
};

// A snpattest query through the doctor's client, as JSON.
Result<nlohmann::json> query(chain::rpc::ChainClient& client, SnpQuery kind, const std::string& op = "") {
  SnpQueryRequest q;
  q.kind = kind;
  q.operator_address = op;
  return chain::rpc::query_snpattest(client, q);
}

CheckResult check_evidence(Context& x) {
  SimRequest sim;
  sim.must_exist = true;  // as start: never create simulated keys the chain does not trust
  auto src = open_evidence_source(x.c, sim, false);
  if (!src)
    return fail("evidence", std::string("no evidence source (hardware_mode = ") +
                                mode_name(x.c.enclave.hardware_mode) + "): " + src.error().to_string());
  const attest::SourceInfo info = src->source->describe();
  const std::array<std::uint8_t, 64> report_data{};  // a probe: this report is never submitted
  auto ev = src->source->get_report(report_data, src->vmpl);
  if (!ev)
    return fail("evidence", info.backend + " " + info.device + ": " + ev.error().to_string());
  if (auto parsed = attest::parse_report(ev->report); !parsed)
    return fail("evidence", info.backend + " " + info.device +
                                " returned a report that does not parse: " + parsed.error().to_string());
  x.evidence = std::move(*ev);
  if (info.simulated)
    return warn("evidence", "simulated firmware in " + info.device + " (not hardware; hardware_mode = " +
                                mode_name(x.c.enclave.hardware_mode) + ")");
  return ok("evidence", info.backend + " " + info.device + ": report received");
}

CheckResult check_kds(Context& x) {
  const config::SevSnpConfig& snp = x.c.enclave.sev_snp;
  std::size_t vceks = 0;
  std::optional<std::chrono::seconds> chain_age;
  std::error_code ec;
  const std::string chain_file = "vcek-chain-" + std::string(attest::product_name(snp.product_name));
  for (const auto& f : fs::directory_iterator(snp.cert_cache_path, ec)) {
    const std::string name = f.path().filename().string();
    if (name == chain_file) {
      const auto written = fs::last_write_time(f.path(), ec);
      if (!ec)
        chain_age =
            std::chrono::duration_cast<std::chrono::seconds>(fs::file_time_type::clock::now() - written);
    } else if ((name.starts_with("vcek-") || name.starts_with("vlek-")) &&
               name.find("-chain-") == std::string::npos && name.find("-crl-") == std::string::npos) {
      ++vceks;
    }
  }
  // With vcek_source = "kds" the daemon never takes the host's VCEK, so that one warms nothing.
  const bool host_vcek = snp.vcek_source == config::VcekSource::kAuto && x.evidence &&
                         std::any_of(x.evidence->certs.begin(), x.evidence->certs.end(), [](auto& e) {
                           return e.kind == attest::CertKind::kVcek || e.kind == attest::CertKind::kVlek;
                         });
  const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(snp.cert_cache_ttl);
  std::string cache = std::to_string(vceks) + " VCEK(s) cached in " + snp.cert_cache_path;
  if (chain_age)
    cache += ", cert chain " + std::to_string(chain_age->count() / 60) + " min old (ttl " +
             std::to_string(ttl.count() / 60) + " min" + (*chain_age > ttl ? ", expired" : "") + ")";
  if (host_vcek)
    cache += "; the evidence source supplies the VCEK";

  attest::HttpFetcherOptions o;
  o.timeout = x.options.timeout;
  o.deadline = x.options.timeout;
  o.max_attempts = 1;
  o.ca_bundle = snp.kds_ca_bundle;
  attest::HttpFetcher fetcher(o);
  auto got = fetcher.fetch(snp.kds_base_url);
  // Any HTTP answer (a 404 for the bare base URL included) shows the service is there.
  if (got || got.error().code == "KDS_HTTP_STATUS")
    return ok("kds", snp.kds_base_url + " reachable; " + cache);
  const std::string down = snp.kds_base_url + " unreachable (" + got.error().message + "); " + cache;
  if (vceks > 0 || host_vcek)
    return warn("kds", down);
  return fail("kds", down + " — cold cache: no VCEK can be had");
}

CheckResult check_chain(Context& x) {
  const config::ChainConfig& cc = x.c.chain;
  std::vector<std::string> up, down, wrong;
  std::int64_t height = 0;
  for (const std::string& url : cc.rpc) {
    chain::rpc::CometClient one({url}, x.transport, x.options.timeout);
    auto st = one.status();
    if (!st) {
      down.push_back(url + " (" + st.error().message + ")");
    } else if (st->network != cc.chain_id) {
      wrong.push_back(url + " serves chain id \"" + st->network + "\", the configuration says \"" +
                      cc.chain_id + "\"");
    } else {
      up.push_back(url);
      height = std::max(height, st->latest_block_height);
    }
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& e : v)
      s += (s.empty() ? "" : "; ") + e;
    return s;
  };
  if (!wrong.empty())
    return fail("chain", join(wrong));
  if (up.empty())
    return fail("chain", "no RPC endpoint answers: " + join(down));
  x.chain = std::make_unique<chain::rpc::CometClient>(up, x.transport, x.options.timeout);
  const std::string seen = std::to_string(up.size()) + "/" + std::to_string(cc.rpc.size()) +
                           " endpoints up, chain id " + cc.chain_id + ", height " + std::to_string(height);
  if (!down.empty())
    return warn("chain", seen + "; down: " + join(down));
  return ok("chain", seen);
}

CheckResult check_relayer(Context& x) {
  const std::string& op = x.c.relayer.operator_address;
  auto info = key_store("", x.defaults).show(x.c.chain.key.name);
  if (info)
    x.key = *info;
  if (!x.chain)
    return fail("relayer", "skipped: no chain endpoint to ask");
  if (!info)
    return fail("relayer", "skipped: no relayer key: " + info.error().to_string());
  auto j = query(*x.chain, SnpQuery::kRelayer, op);
  if (!j && j.error().code != "NOT_FOUND")
    return fail("relayer", "Query/Relayer failed: " + j.error().to_string());
  const std::string bound = j ? j->value("relayer", std::string()) : std::string();
  if (bound == info->address)
    return ok("relayer", op + " -> " + bound + " (this key)");
  return fail("relayer", "the chain's relayer for " + op + " is " + (bound.empty() ? "not set" : bound) +
                             ", not this key's " + info->address + "; fix: snprelay tx set-relayer --from " +
                             "<operator key> --operator " + op + " --relayer " + info->address + " --node " +
                             x.c.chain.rpc.front());
}

CheckResult check_key(Context& x) {
  const std::string& name = x.c.chain.key.name;
  if (!x.key) {
    auto info = key_store("", x.defaults).show(name);
    if (!info)
      return fail("key", info.error().to_string());
    x.key = *info;
  }
  if (x.key->protection == "passphrase" && std::getenv("SNPRELAY_KEY_PASSPHRASE") == nullptr)
    return fail("key", "key \"" + name +
                           "\" is passphrase-protected and SNPRELAY_KEY_PASSPHRASE is not set " +
                           "(doctor never prompts)");
  auto opened = open_key(key_store("", x.defaults), name, KeyRequest{}, x.defaults);
  if (!opened)
    return fail("key", opened.error().to_string());
  return ok("key", "key \"" + name + "\" (" + x.key->address + ") opens with " + x.key->protection);
}

CheckResult check_tpm(Context& x) {
  const bool key_uses =
      (x.key && x.key->protection == "tpm") || x.c.chain.key.protection == config::KeyProtection::kTpm;
  const bool configured = x.c.tpm.tcti != kDefaultTcti;
  if (!key_uses && !configured)
    return ok("tpm", "not used (key protection: " +
                         std::string(protection_mode_name(x.c.chain.key.protection)) + ")");
  auto resolved = resolve_tpm(TpmRequest{}, &x.c);
  if (!resolved)
    return fail("tpm", resolved.error().to_string());
  auto tpm = attest::tpm::Tpm::open(resolved->tcti);
  if (!tpm) {
    const std::string why = resolved->tcti + ": " + tpm.error().to_string();
    return key_uses ? fail("tpm", why) : warn("tpm", why + " (configured, the key does not need it)");
  }
  return ok("tpm", "reachable at " + resolved->tcti);
}

CheckResult check_allowlist(Context& x) {
  auto pinned = signer_set_from_config(x.c, x.path, std::nullopt);
  if (!pinned)
    return fail("allowlist", pinned.error().to_string());
  const std::string& db = x.c.allowlist.db_path;
  std::optional<std::uint64_t> local;
  std::string rebuild;  // set when `start` would set the copy aside and rebuild it from the chain
  if (std::error_code ec; fs::exists(db, ec)) {
    // Read-only, as `start` judges it (allowlist::Store::open re-verifies an existing copy).
    auto check = allowlist::verify_db(db, x.c.chain.chain_id, *pinned);
    if (!check)
      return fail("allowlist", "local copy " + db + ": " + check.error().to_string());
    if (!check->ok && (check->code == "WRONG_CHAIN" || check->code == "SIGNER_SET_MISMATCH"))
      return fail("allowlist", "local copy " + db + " cannot be used (start refuses it: WRONG_DATABASE): " +
                                   check->bad_row + ": " + check->message);
    if (!check->ok && check->code != "META_MISSING") {
      rebuild = "local copy " + db + " does not match its signed updates (first bad row: " + check->bad_row +
                ": " + check->code + "); start will move it aside and rebuild it from the chain";
    } else if (check->ok) {
      auto index = allowlist::read_copy_index(db);
      if (!index)
        return fail("allowlist", "local copy " + db + ": " + index.error().to_string());
      local = index->version();
      x.index = std::make_shared<const allowlist::Index>(std::move(*index));
    }
  }
  if (!x.chain && !rebuild.empty())
    return warn("allowlist", rebuild + " (no chain endpoint answers to rebuild it from)");
  if (!x.chain)
    return fail("allowlist", "skipped: no chain endpoint to compare with");
  allowlist::ChainUpdateSource source(*x.chain);
  auto theirs = source.signers();
  if (!theirs)
    return fail("allowlist", "Query/AllowlistSigners failed: " + theirs.error().to_string());
  if (!*theirs)
    return warn("allowlist", "the chain did not say its signer set");
  if (auto diff = signer_set_difference(*pinned, **theirs))
    return fail("allowlist", "the pinned [allowlist.signers] differ from the chain's: " + *diff);
  // Query/Allowlist with version 0 is the latest; NOT_FOUND is a chain with no allowlist yet.
  auto latest = query(*x.chain, SnpQuery::kAllowlist);
  if (!latest && latest.error().code != "NOT_FOUND")
    return fail("allowlist", "Query/Allowlist failed: " + latest.error().to_string());
  const auto chain_version = latest ? latest->value("version", std::uint64_t{0}) : std::uint64_t{0};
  const std::string signers = "signer set pinned = chain's (" + std::to_string(pinned->signers.size()) +
                              " keys, threshold " + std::to_string(pinned->threshold) + ")";
  const std::string versions = "chain version " + std::to_string(chain_version);
  if (!rebuild.empty())
    return warn("allowlist", rebuild + "; " + versions + "; " + signers);
  if (!local)
    return warn("allowlist", "no local copy at " + db +
                                 " yet (the daemon or `snprelay allowlist sync --config " + x.path +
                                 "` creates it); " + versions + "; " + signers);
  x.index_current = *local == chain_version;
  const std::string line = "local version " + std::to_string(*local) + ", " + versions + "; " + signers;
  if (!x.index_current)
    return warn("allowlist", line + (*local < chain_version ? " (stale: synced on the next pass)" : ""));
  return ok("allowlist", line);
}

CheckResult check_tcb(Context& x) {
  if (!x.evidence)
    return fail("tcb", "skipped: no report (the evidence check failed)");
  auto report = attest::parse_report(x.evidence->report);
  if (!report)
    return fail("tcb", report.error().to_string());
  attest::Product product = x.c.enclave.sev_snp.product_name;
  if (report->has_cpuid()) {
    if (const auto p = attest::product_from_cpuid(report->cpuid_fam_id, report->cpuid_mod_id);
        p != attest::Product::kUnknown)
      product = p;
  }
  const std::string reported = "REPORTED_TCB " + attest::describe_tcb(report->reported_tcb, product);
  if (!x.index)
    return warn("tcb", "skipped: no local allowlist copy to read the chain's minimum from; " + reported);
  const auto& mins = x.index->min_tcb();
  const auto it = mins.find(std::string(attest::product_name(product)));
  const std::string stale = x.index_current ? "" : " (local copy behind the chain)";
  if (it == mins.end()) {
    const std::string line = reported + "; no minimum for " + std::string(attest::product_name(product)) +
                             " in the allowlist" + stale;
    return x.index_current ? ok("tcb", line) : warn("tcb", line);
  }
  const auto below = tcb_shortfalls(attest::decode_tcb(report->reported_tcb, product), it->second);
  if (!below.empty()) {
    std::string what;
    for (const auto& b : below)
      what += (what.empty() ? "" : ", ") + b;
    return fail("tcb", "TCB version below minimum: " + what + " (" + reported + ")" + stale);
  }
  const std::string line =
      reported + " meets the allowlist minimum for " + std::string(attest::product_name(product)) + stale;
  return x.index_current ? ok("tcb", line) : warn("tcb", line);
}

// Whether a daemon holds this home's lock: `start` would then exit 2 (lock HELD), which is what an
// operator running doctor beside a live daemon expects, so it is a warning, not a failure.
CheckResult check_daemon(const Context& x) {
  // start makes [relayer] state_dir (0700) and takes its lock there: the directory must be one, or be
  // creatable under an existing parent.
  const std::string& dir = x.c.relayer.state_dir;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec)) && !fs::is_directory(dir, ec))
    return fail("daemon", "state_dir " + dir + " exists and is not a directory (start cannot take its lock)");
  if (!fs::exists(dir, ec) && !fs::is_directory(fs::path(dir).parent_path(), ec))
    return fail("daemon", "state_dir " + dir + " does not exist and neither does its parent");
  bool running = false;
  auto state = daemon_lock_state(x.c, &running);
  if (!state)
    return fail("daemon", state.error().to_string());
  if (running)
    return warn("daemon", *state + "; a second `snprelay start` on this home would exit 2");
  return ok("daemon", *state);
}

}  // namespace

const char* level_name(CheckLevel level) {
  switch (level) {
    case CheckLevel::kOk:
      return "ok";
    case CheckLevel::kWarn:
      return "warn";
    case CheckLevel::kFail:
      return "fail";
  }
  return "fail";
}

std::string format_check_line(const CheckResult& check) {
  std::string line = level_name(check.level);
  line.resize(6, ' ');
  line += check.name;
  line.resize(std::max<std::size_t>(line.size() + 1, 17), ' ');
  return line + escape_text(check.detail);
}

nlohmann::ordered_json checks_json(const std::vector<CheckResult>& checks) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CheckResult& c : checks)
    out.push_back(
        {{"check", escape_text(c.name)}, {"level", level_name(c.level)}, {"detail", escape_text(c.detail)}});
  return out;
}

bool any_failed(const std::vector<CheckResult>& checks) {
  return std::any_of(checks.begin(), checks.end(),
                     [](const CheckResult& c) { return c.level == CheckLevel::kFail; });
}

std::optional<std::string> signer_set_difference(const allowlist::SignerSet& pinned,
                                                 const allowlist::SignerSet& chain) {
  std::map<std::string, Bytes> mine, theirs;
  for (const auto& k : pinned.signers)
    mine[k.key_id] = k.pubkey;
  for (const auto& k : chain.signers)
    theirs[k.key_id] = k.pubkey;
  std::string diff;
  auto add = [&diff](const std::string& s) { diff += (diff.empty() ? "" : "; ") + s; };
  for (const auto& [id, key] : mine) {
    const auto it = theirs.find(id);
    if (it == theirs.end())
      add("key " + id + " is pinned but not in the chain's set");
    else if (it->second != key)
      add("key " + id + " has another public key on chain (" + to_hex(it->second) + ")");
  }
  for (const auto& [id, key] : theirs) {
    if (!mine.contains(id))
      add("the chain's key " + id + " (" + to_hex(key) + ") is not pinned");
  }
  if (pinned.threshold != chain.threshold)
    add("threshold " + std::to_string(pinned.threshold) + " pinned, " + std::to_string(chain.threshold) +
        " on chain");
  if (diff.empty())
    return std::nullopt;
  return diff;
}

std::vector<std::string> tcb_shortfalls(const attest::TcbParts& reported,
                                        const allowlist::ProductTcb& minimum) {
  std::vector<std::string> out;
  auto check = [&out](const char* name, std::uint32_t have, std::uint32_t need) {
    if (have < need)
      out.push_back(std::string(name) + " " + std::to_string(have) + " < " + std::to_string(need));
  };
  if (reported.fmc)
    check("fmc", *reported.fmc, minimum.fmc);
  check("boot_loader", reported.bootloader, minimum.boot_loader);
  check("tee", reported.tee, minimum.tee);
  check("snp", reported.snp, minimum.snp);
  check("microcode", reported.microcode, minimum.microcode);
  return out;
}

std::string daemon_lock_path(const config::Config& config) {
  return config.relayer.state_dir + "/" + kDaemonLockName;
}

Result<std::string> daemon_lock_state(const config::Config& config, bool* running) {
  const std::string path = daemon_lock_path(config);
  auto holder = lock_holder(path);
  if (!holder)
    return holder.error();
  if (running != nullptr)
    *running = holder->has_value();
  if (!*holder)
    return "not running (no process holds " + path + ")";
  return "running (" + (**holder > 0 ? "PID " + std::to_string(**holder) : std::string("a process")) +
         " holds " + path + ")";
}

std::vector<CheckResult> run_doctor(const config::Config& config, const std::string& config_path,
                                    const DoctorOptions& options) {
  Context x(config, config_path, options);
  x.defaults = key_defaults(std::make_shared<const config::Config>(config), config_path);
  std::vector<CheckResult> out;
  out.push_back(check_evidence(x));
  out.push_back(check_kds(x));
  out.push_back(check_chain(x));
  out.push_back(check_relayer(x));
  out.push_back(check_key(x));
  out.push_back(check_tpm(x));
  out.push_back(check_allowlist(x));
  out.push_back(check_tcb(x));
  out.push_back(check_daemon(x));
  return out;
}

}  // namespace snprelay::app
