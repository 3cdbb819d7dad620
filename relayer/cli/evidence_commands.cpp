// Evidence commands (issue #4):
//   snprelay fetch vcek|chain|crl [--product P] [--report FILE] [--vlek] --kds URL --cache DIR --out FILE
//                                 [--ca-bundle F] [--timeout D]
//   snprelay sim kds --listen HOST:PORT --serve-dir DIR [--latency MS] [--fail-rate P] [--rate-limit N]
// Exit codes: 0 ok; 2 bad flags or unreadable input; 3 KDS unavailable, or its answer refused.
#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>

#include "attest/kds/kds_client.hpp"
#include "attest/report.hpp"
#include "attest/sim/kds_server.hpp"
#include "config/duration.hpp"
#include "relayer/cli/cli.hpp"

namespace snprelay::cli {
namespace {

using namespace snprelay::attest;

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

int fail(int code, const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return code;
}

// Input errors (bad flags, unreadable files) are 2; failures of KDS or the cache are 3.
int exit_code_for(const Error& e) {
  return e.code == "BAD_PRODUCT" || e.code == "BAD_CHIP_ID" || e.code == "BAD_TCB" || e.code == "BAD_URL"
             ? kUsage
             : kFailure;
}

Status write_output(const std::string& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out)
    return make_error("cli", "WRITE_FAILED", "cannot write " + path);
  return ok_status();
}

int run_fetch(const FetchArgs& a) {
  std::optional<Report> report;
  if (!a.report.empty()) {
    auto raw = read_file(a.report);
    if (!raw)
      return fail(kUsage, raw.error().to_string());
    auto parsed = parse_report(*raw);
    if (!parsed)
      return fail(kUsage, a.report + ": " + parsed.error().to_string());
    report = *parsed;
  }
  Product product = Product::kUnknown;
  if (!a.product.empty()) {
    auto p = kds_product(a.product);
    if (!p)
      return fail(kUsage, p.error().to_string());
    product = *p;
  } else if (report && report->has_cpuid()) {
    product = product_from_cpuid(report->cpuid_fam_id, report->cpuid_mod_id);
  }
  if (product == Product::kUnknown) {
    return fail(kUsage,
                "the AMD product is unknown: pass --product Milan|Genoa|Turin (a v2 report does not say)");
  }
  auto timeout = config::parse_duration(a.timeout);
  if (!timeout)
    return fail(kUsage, "--timeout: " + timeout.error().message);
  auto cache = CertCache::open(a.cache);
  if (!cache)
    return fail(kFailure, cache.error().to_string());
  HttpFetcherOptions fo;
  fo.timeout = *timeout;
  fo.ca_bundle = a.ca_bundle;
  KdsClientOptions ko;
  ko.base_url = a.kds;
  KdsClient client(ko, std::make_shared<HttpFetcher>(fo),
                   std::shared_ptr<CertCache>(std::move(cache).value()));
  const KdsSigner signer = a.vlek ? KdsSigner::kVlek : KdsSigner::kVcek;

  Result<Bytes> got = make_error("cli", "USAGE", "unknown resource");
  if (a.what == "vcek") {
    if (!report)
      return fail(kUsage, "fetch vcek needs --report FILE (its CHIP_ID and REPORTED_TCB name the VCEK)");
    if (a.vlek)
      return fail(kUsage, "VLEK leaf certificates come from the host's certificate table, not KDS");
    got = client.vcek(product, report->chip_id, decode_tcb(report->reported_tcb, product));
  } else if (a.what == "chain") {
    got = client.chain(product, signer);
  } else {
    got = client.crl(product, signer);
  }
  if (!got)
    return fail(exit_code_for(got.error()), got.error().to_string());
  if (Status st = write_output(a.out, *got); !st)
    return fail(kFailure, st.error().to_string());
  const auto& c = client.cache();
  std::cerr << a.what << ": " << got->size() << " bytes to " << a.out << " ("
            << (c.hits() > 0 ? "cache hit" : "fetched") << ")\n";
  return kOk;
}

struct SimKdsArgs {
  std::string listen = "127.0.0.1:0";
  std::string serve_dir;
  std::int64_t latency_ms = 0;
  double fail_rate = 0;
  std::uint32_t rate_limit = 0;
};

int run_sim_kds(const SimKdsArgs& a) {
  const auto colon = a.listen.rfind(':');
  if (colon == std::string::npos)
    return fail(kUsage, "--listen must be HOST:PORT, got " + a.listen);
  KdsServerOptions o;
  o.host = a.listen.substr(0, colon);
  try {
    const int port = std::stoi(a.listen.substr(colon + 1));
    if (port < 0 || port > 65535)
      throw std::out_of_range("port");
    o.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return fail(kUsage, "--listen port must be 0..65535, got " + a.listen.substr(colon + 1));
  }
  o.latency = std::chrono::milliseconds(a.latency_ms);
  o.fail_rate = a.fail_rate;
  o.rate_limit = a.rate_limit;
  // Block SIGINT/SIGTERM before the server's thread starts, so only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto server = KdsServer::start(o, std::make_shared<DirectoryStore>(a.serve_dir));
  if (!server)
    return fail(kFailure, server.error().to_string());
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
  fetch->add_option("--timeout", fa->timeout, "per-request timeout")->capture_default_str();
  fetch->callback([fa, &outcome] { outcome.exit_code = run_fetch(*fa); });

  auto* sim = app.add_subcommand("sim", "Local stand-ins for AMD services");
  sim->require_subcommand(1);
  auto* kds = sim->add_subcommand("kds", "Serve KDS paths on a loopback port until SIGINT/SIGTERM");
  auto ka = std::make_shared<SimKdsArgs>();
  kds->add_option("--listen", ka->listen, "HOST:PORT (port 0: any free port; the bound port is printed)")
      ->capture_default_str();
  kds->add_option("--serve-dir", ka->serve_dir,
                  "directory of AMD certificates (layout: attest/sim/kds_store.hpp)")
      ->required()
      ->check(CLI::ExistingDirectory);
  kds->add_option("--latency", ka->latency_ms, "delay every answer, milliseconds")
      ->check(CLI::Range(0, 60000));
  kds->add_option("--fail-rate", ka->fail_rate, "fraction of requests answered 500")
      ->check(CLI::Range(0.0, 1.0));
  kds->add_option("--rate-limit", ka->rate_limit, "requests per second before 429 + Retry-After")
      ->check(CLI::Range(0, 100000));
  kds->callback([ka, &outcome] { outcome.exit_code = run_sim_kds(*ka); });
}

}  // namespace snprelay::cli
