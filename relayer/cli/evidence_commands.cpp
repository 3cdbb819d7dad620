// Evidence commands (issue #4):
//   snprelay report get [--nonce HEX | --report-data HEX] [--vmpl N] -o FILE [--certs-out DIR]
//                       [--config FILE | --simulate --sim-state DIR [sim options]]
//   snprelay key derive [--fields F,...] [--root vcek|vmrk] [--vmpl N] [--guest-svn N] [--tcb HEX]
//                       [--config FILE | --simulate --sim-state DIR] [--json] [--force]
//   snprelay fetch vcek|chain|crl [--product P] [--report FILE] [--vlek] --kds URL --cache DIR --out FILE
//                                 [--ca-bundle F] [--timeout D]
//   snprelay sim kds --listen HOST:PORT (--serve-dir DIR | --state DIR) [--latency MS] [--fail-rate P]
//                    [--rate-limit N[/s]]
// Exit codes: 0 ok; 2 bad flags or unreadable input; 3 no evidence source, KDS unavailable, or an
// answer refused. Anything simulated is announced on standard error.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "attest/evidence/select_source.hpp"
#include "attest/kds/kds_client.hpp"
#include "attest/report.hpp"
#include "attest/sealing/snp_sealer.hpp"
#include "attest/sim/kds_server.hpp"
#include "attest/sim/sim_firmware.hpp"
#include "common/log.hpp"
#include "common/path_rules.hpp"
#include "config/duration.hpp"
#include "config/loader.hpp"
#include "relayer/app/binding.hpp"
#include "relayer/app/evidence.hpp"
#include "relayer/app/input.hpp"
#include "relayer/app/parse.hpp"
#include "relayer/app/verification.hpp"
#include "relayer/cli/cli.hpp"
#include "relayer/cli/cli_options.hpp"

namespace snprelay::cli {
namespace {

using namespace snprelay::attest;

int fail_usage(const std::string& message) {
  return fail(usage_error("USAGE", message));
}

struct FetchArgs {
  std::string what;
  std::string product;
  std::string report;
  bool vlek = false;
  std::string kds;
  std::string cache;
  std::string out;
  std::string ca_bundle;
  std::string timeout = "30s";
};

// Public material (a report, a certificate): written atomically, 0644, over a regular file only.
Status write_output(const std::string& path, const Bytes& data) {
  return write_file_atomic(path, std::span<const std::uint8_t>(data), 0644);
}

int run_fetch(const FetchArgs& a) {
  if (auto st = check_output(a.out, "--out", std::vector{a.report}); !st)
    return fail(st.error());
  std::optional<Report> report;
  if (!a.report.empty()) {
    auto raw = read_input_file(a.report, kMaxReportFileBytes, "--report");
    if (!raw)
      return fail(raw.error());
    auto parsed = parse_report(*raw);
    if (!parsed)
      return fail(parsed.error());
    report = *parsed;
  }
  Product product = Product::kUnknown;
  if (!a.product.empty()) {
    auto p = kds_product(a.product);
    if (!p)
      return fail(p.error());
    product = *p;
  } else if (report && report->has_cpuid()) {
    product = product_from_cpuid(report->cpuid_fam_id, report->cpuid_mod_id);
  }
  if (product == Product::kUnknown) {
    return fail_usage(
        "the AMD product is unknown: pass --product Milan|Genoa|Turin (a v2 report does not say)");
  }
  auto timeout = config::parse_duration(a.timeout);
  if (!timeout)
    return fail_usage("--timeout: " + timeout.error().message);
  app::KdsRequest kr;
  kr.base_url = a.kds;
  kr.cache_dir = a.cache;
  kr.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
  kr.ca_bundle = a.ca_bundle;
  auto made = app::make_kds_client(kr);
  if (!made)
    return fail(made.error());
  KdsClient& client = **made;
  const KdsSigner signer = a.vlek ? KdsSigner::kVlek : KdsSigner::kVcek;

  Result<Bytes> got = make_error("cli", "USAGE", "unknown resource");
  if (a.what == "vcek") {
    if (!report)
      return fail_usage("fetch vcek needs --report FILE (its CHIP_ID and REPORTED_TCB name the VCEK)");
    if (a.vlek)
      return fail_usage("VLEK leaf certificates come from the host's certificate table, not KDS");
    got = client.vcek(product, report->chip_id, decode_tcb(report->reported_tcb, product));
  } else if (a.what == "chain") {
    got = client.chain(product, signer);
  } else {
    got = client.crl(product, signer);
  }
  if (!got)
    return fail(got.error());
  if (Status st = write_output(a.out, *got); !st)
    return fail(st.error());
  const auto& c = client.cache();
  std::cerr << a.what << ": " << got->size() << " bytes to " << a.out << " ("
            << (c.hits() > 0 ? "cache hit" : "fetched") << ")\n";
  return kOk;
}

}  // namespace

void add_sim_options(CLI::App* cmd, SimArgs& a) {
  cmd->add_option("--sim-product", a.product,
                  "simulated product: Milan, Genoa or Turin (default: the state's)");
  cmd->add_option("--sim-version", a.version, "simulated report version: 2, 3 or 5")
      ->check(strict_unsigned())
      ->capture_default_str();
  cmd->add_option("--sim-measurement", a.measurement, "simulated MEASUREMENT (48 bytes hex)");
  cmd->add_option("--sim-policy", a.policy, "simulated guest POLICY")->capture_default_str();
  cmd->add_option("--sim-host-data", a.host_data, "simulated HOST_DATA (up to 32 bytes hex)");
  cmd->add_option("--sim-tcb", a.tcb, "simulated TCB: bl=N,tee=N,snp=N,ucode=N[,fmc=N]");
  cmd->add_option("--sim-guest-vmpl", a.guest_vmpl, "the simulated guest's own VMPL")
      ->check(CLI::Range(0, 3));
  cmd->add_option("--sim-guest-svn", a.guest_svn, "simulated GUEST_SVN")->check(strict_unsigned());
}

namespace {

struct SimKdsArgs {
  std::string listen = "127.0.0.1:0";
  std::string serve_dir;
  SimArgs sim;
  std::int64_t latency_ms = 0;
  double fail_rate = 0;
  std::string rate_limit = "0";  // "N" or "N/s": requests per second
};

int run_sim_kds(const SimKdsArgs& a) {
  const auto colon = a.listen.rfind(':');
  if (colon == std::string::npos)
    return fail_usage("--listen must be HOST:PORT, got " + a.listen);
  KdsServerOptions o;
  o.host = a.listen.substr(0, colon);
  try {
    const int port = std::stoi(a.listen.substr(colon + 1));
    if (port < 0 || port > 65535)
      throw std::out_of_range("port");
    o.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return fail_usage("--listen port must be 0..65535, got " + a.listen.substr(colon + 1));
  }
  o.latency = std::chrono::milliseconds(a.latency_ms);
  o.fail_rate = a.fail_rate;
  std::string rate = a.rate_limit;
  if (rate.size() > 2 && rate.ends_with("/s"))
    rate.resize(rate.size() - 2);
  if (rate.empty() || rate.size() > 6 || rate.find_first_not_of("0123456789") != std::string::npos) {
    return fail_usage("--rate-limit must be N or N/s (requests per second), got " + a.rate_limit);
  }
  o.rate_limit = static_cast<std::uint32_t>(std::stoul(rate));
  // Block SIGINT/SIGTERM before the server's thread starts, so only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::shared_ptr<KdsStore> store;
  if (!a.sim.state.empty()) {
    auto fw = app::open_sim(a.sim);
    if (!fw)
      return fail(fw.error());
    store = make_sim_kds_store(*fw);
    std::cerr << "serving the SIMULATED firmware's certificates from " << a.sim.state << "\n";
  } else {
    store = std::make_shared<DirectoryStore>(a.serve_dir);
  }
  auto server = KdsServer::start(o, store);
  if (!server)
    return fail(server.error());
  std::cout << "listening on " << o.host << ":" << (*server)->port() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  const KdsServerStats s = (*server)->stats();
  (*server)->stop();
  std::cerr << "stopped by signal " << sig << " after " << s.requests << " requests (" << s.errors
            << " errors)\n";
  return kOk;
}

}  // namespace

void add_source_options(CLI::App* cmd, SourceArgs& a) {
  auto* config =
      cmd->add_option("--config", a.config, "configuration file: hardware_mode, device, sim_state_dir");
  auto* simulate = cmd->add_flag("--simulate", a.simulate, "use the simulated firmware (needs --sim-state)");
  cmd->add_option("--sim-state", a.sim.state, "the simulated firmware's state directory");
  config->excludes(simulate);
  add_sim_options(cmd, a.sim);
}

Result<app::OpenedSource> open_source(const SourceArgs& a, bool need_derived_keys,
                                      const config::Config* loaded) {
  if (a.simulate)
    return app::open_simulated_source(a.sim);
  if (a.config.empty() && loaded == nullptr)
    return usage_error("BAD_FLAG", "name the evidence source: --config FILE, or --simulate --sim-state DIR");
  std::optional<config::Config> storage;
  auto config = use_config(a.config, loaded, storage);
  if (!config)
    return config.error();
  return app::open_evidence_source(**config, a.sim, need_derived_keys);
}

void announce(const EvidenceSource& source) {
  if (auto line = app::announce_line(source))
    std::cerr << *line << "\n";
}

namespace {

struct ReportGetArgs {
  std::optional<std::string> nonce;  // given, even empty (an empty --nonce is refused, never zeros)
  std::optional<std::string> report_data;
  std::optional<std::uint32_t> vmpl;
  std::string out;
  std::string certs_out;
  bool json = false;
  SourceArgs source;
};

int run_report_get(const ReportGetArgs& a) {
  if (auto st = check_output(a.out, "-o"); !st)
    return fail(st.error());
  std::array<std::uint8_t, 64> data{};
  if (a.nonce) {
    auto n = app::parse_nonempty_hex("--nonce", *a.nonce);
    if (!n)
      return fail(n.error());
    data = app::report_data_for_nonce(*n);
  } else if (a.report_data) {
    auto d = app::parse_hex_bytes("--report-data", *a.report_data, 64, false);
    if (!d)
      return fail(d.error());
    std::copy(d->begin(), d->end(), data.begin());
  }
  auto opened = open_source(a.source, false);
  if (!opened)
    return fail(opened.error());
  announce(*opened->source);
  auto ev = opened->source->get_report(data, a.vmpl.value_or(opened->vmpl));
  if (!ev)
    return fail(ev.error());
  if (Status st = write_output(a.out, ev->report); !st)
    return fail(st.error());
  std::cerr << "report: " << ev->report.size() << " bytes to " << a.out << ", REPORT_DATA " << to_hex(data)
            << "\n";
  const SourceInfo info = opened->source->describe();
  nlohmann::ordered_json out = {
      {"report", a.out},         {"report_data", to_hex(data)}, {"vmpl", a.vmpl.value_or(opened->vmpl)},
      {"backend", info.backend}, {"simulated", ev->simulated},  {"certs", nlohmann::ordered_json::array()}};
  if (!a.certs_out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.certs_out, ec);
    for (const auto& cert : ev->certs) {
      const std::string name =
          cert.kind == CertKind::kUnknown ? guid_to_string(cert.guid) : cert_kind_name(cert.kind);
      const std::string path = a.certs_out + "/" + name + (cert.kind == CertKind::kCrl ? ".crl" : ".der");
      if (Status st = write_output(path, cert.data); !st)
        return fail(st.error());
      std::cerr << "host certificate: " << path << "\n";
      out["certs"].push_back(path);
    }
    if (ev->certs.empty())
      std::cerr << "the host supplied no certificates; fetch the VCEK from KDS\n";
  }
  if (a.json)
    std::cout << out.dump() << "\n";
  return kOk;
}

struct KeyDeriveArgs {
  std::string fields = "measurement,policy";
  std::string root = "vcek";
  std::uint32_t vmpl = 0;
  std::uint32_t guest_svn = 0;
  std::string tcb = "0";
  bool json = false;
  bool force = false;
  SourceArgs source;
};

int run_key_derive(const KeyDeriveArgs& a) {
  DerivedKeyRequest req;
  req.root = a.root == "vmrk" ? RootKey::kVmrk : RootKey::kVcek;
  req.vmpl = a.vmpl;
  req.guest_svn = a.guest_svn;
  auto fields = parse_field_names(a.fields);
  if (!fields)
    return fail_usage("--fields: " + fields.error().message);
  req.field_select = *fields;
  std::vector<std::string> names;
  std::stringstream list(field_names(req.field_select));
  for (std::string f; std::getline(list, f, ',');)
    names.push_back(f);
  try {
    req.tcb_version = std::stoull(a.tcb, nullptr, 16);
  } catch (const std::exception&) {
    return fail_usage("--tcb: \"" + a.tcb + "\" is not a hex u64");
  }
  if (!a.force && ::isatty(STDOUT_FILENO) != 0) {
    return fail_usage("refusing to print a key to a terminal; redirect the output or pass --force");
  }
  auto opened = open_source(a.source, true);
  if (!opened)
    return fail(opened.error());
  announce(*opened->source);
  auto key = opened->source->derive_key(req);
  if (!key)
    return fail(key.error());
  const std::string hex = to_hex(key->view());
  if (a.json) {
    nlohmann::ordered_json j = {{"key", hex},
                                {"root", a.root},
                                {"fields", names},
                                {"vmpl", a.vmpl},
                                {"simulated", opened->source->describe().simulated}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << hex << "\n";
  }
  return kOk;
}

}  // namespace

void add_evidence_commands(CLI::App& app, Outcome& outcome) {
  auto* fetch = app.add_subcommand("fetch", "Fetch AMD certificates through the KDS client and its cache");
  auto fa = std::make_shared<FetchArgs>();
  fetch->add_option("WHAT", fa->what, "vcek, chain or crl")
      ->required()
      ->check(CLI::IsMember({"vcek", "chain", "crl"}));
  fetch->add_option("--product", fa->product, "Milan, Genoa or Turin (default: from a v3+ report's CPUID)");
  fetch->add_option("--report", fa->report, "report whose CHIP_ID and REPORTED_TCB select the VCEK");
  fetch->add_flag("--vlek", fa->vlek, "the VLEK chain or CRL (the /vlek/v1 sibling of --kds)");
  fetch->add_option("--kds", fa->kds, "KDS base URL, e.g. https://kdsintf.amd.com/vcek/v1")->required();
  fetch->add_option("--cache", fa->cache, "certificate cache directory")->required();
  fetch->add_option("--out", fa->out, "output file")->required();
  fetch->add_option("--ca-bundle", fa->ca_bundle,
                    "extra CA bundle (PEM) for a local KDS stand-in over https");
  fetch->add_option("--timeout", fa->timeout, "bound on the whole fetch, every retry included")
      ->capture_default_str();
  fetch->callback([fa, &outcome] { outcome.exit_code = run_fetch(*fa); });

  auto* sim = app.add_subcommand("sim", "Local stand-ins for AMD services");
  sim->require_subcommand(1);
  auto* kds = sim->add_subcommand("kds", "Serve KDS paths on a loopback port until SIGINT/SIGTERM");
  auto ka = std::make_shared<SimKdsArgs>();
  kds->add_option("--listen", ka->listen, "HOST:PORT (port 0: any free port; the bound port is printed)")
      ->capture_default_str();
  auto* serve_dir = kds->add_option("--serve-dir", ka->serve_dir, "directory of AMD certificates")
                        ->check(CLI::ExistingDirectory);
  auto* state =
      kds->add_option("--state", ka->sim.state, "serve the simulated firmware whose state is in DIR");
  serve_dir->excludes(state);
  kds->add_option("--sim-product", ka->sim.product, "product of a new simulated state (default Milan)");
  kds->add_option("--latency", ka->latency_ms, "delay every answer, milliseconds")
      ->check(CLI::Range(0, 60000));
  kds->add_option("--fail-rate", ka->fail_rate, "fraction of requests answered 500")
      ->check(CLI::Range(0.0, 1.0));
  kds->add_option("--rate-limit", ka->rate_limit, "N or N/s: requests per second before 429 + Retry-After");
  kds->callback([ka, &outcome, serve_dir, state] {
    if (serve_dir->count() + state->count() != 1) {
      outcome.exit_code = fail_usage("sim kds needs --serve-dir DIR or --state DIR");
      return;
    }
    outcome.exit_code = run_sim_kds(*ka);
  });

  auto* report = ensure_subcommand(app, "report", "SNP attestation reports");
  auto* get =
      report->add_subcommand("get", "Get a report bound to a nonce from the configured evidence source");
  auto ra = std::make_shared<ReportGetArgs>();
  auto* nonce = get->add_option("--nonce", ra->nonce, "hex; REPORT_DATA = SHA-512(nonce bytes)");
  auto* data =
      get->add_option("--report-data", ra->report_data, "hex, up to 64 bytes, zero-padded: REPORT_DATA");
  nonce->excludes(data);
  get->add_option("--vmpl", ra->vmpl, "VMPL to request (default: the configuration's, else 0)")
      ->check(CLI::Range(0, 3));
  get->add_option("-o,--out", ra->out, "report output file (1184 bytes)")->required();
  get->add_flag("--json", ra->json,
                "print what was written as JSON (report path, REPORT_DATA, backend, simulated)");
  get->add_option("--certs-out", ra->certs_out,
                  "write the host's certificates (vcek.der, ask.der, ark.der ...) here");
  add_source_options(get, ra->source);
  get->callback([ra, &outcome] { outcome.exit_code = run_report_get(*ra); });

  auto* key = app.add_subcommand("key", "SNP derived keys");
  auto* derive =
      key->add_subcommand("derive", "Derive a key with SNP_GET_DERIVED_KEY (or the simulated firmware)");
  auto da = std::make_shared<KeyDeriveArgs>();
  derive->add_option("--fields", da->fields, "mixed-in fields: measurement,policy,tcb,svn,family-id,image-id")
      ->capture_default_str();
  derive->add_option("--root", da->root, "root key: vcek or vmrk")
      ->capture_default_str()
      ->check(CLI::IsMember({"vcek", "vmrk"}));
  derive->add_option("--vmpl", da->vmpl, "VMPL mixed in")->check(CLI::Range(0, 3));
  derive->add_option("--guest-svn", da->guest_svn, "GUEST_SVN mixed in with the svn field");
  derive->add_option("--tcb", da->tcb, "TCB_VERSION (hex u64) mixed in with the tcb field");
  derive->add_flag("--json", da->json, "print a JSON object");
  derive->add_flag("--force", da->force, "print the key even to a terminal");
  add_source_options(derive, da->source);
  derive->callback([da, &outcome] { outcome.exit_code = run_key_derive(*da); });
}

}  // namespace snprelay::cli
