// Shared main() for snprelay's Google Benchmark programs.
//
// bench_main() runs every registered benchmark (console output on stderr when --json-lines is given,
// on stdout otherwise), collects each benchmark's items_per_second by name, then asks `summarize` to
// turn those rates into result lines: our rate beside the limit measured in the same run (OpenSSL or
// libsecp256k1 doing only the unavoidable crypto). With --json-lines each line is printed to stdout as
//   {"name": ..., "per_second": ..., "limit_per_second": ..., "ratio": ...}
// otherwise as an aligned table. Exit code 0, or 1 if a benchmark named by summarize did not run.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace snprelay::bench {

struct ResultLine {
  std::string name;         // stable, e.g. "verify_full"
  double per_second = 0;    // our rate
  double limit_per_second;  // the crypto-only limit measured in the same run (0 = none)
};

// items_per_second by benchmark name (as Google Benchmark names the run, e.g. "BM_VerifyFull").
using Rates = std::map<std::string, double>;

int bench_main(int argc, char** argv, const std::function<std::vector<ResultLine>(const Rates&)>& summarize);

}  // namespace snprelay::bench
