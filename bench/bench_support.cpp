#include "bench/bench_support.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <iostream>

namespace snprelay::bench {
namespace {

// Forwards to the console reporter and records items_per_second of every run.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  explicit CollectingReporter(Rates& rates) : rates_(rates) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred)
        continue;
      const auto it = run.counters.find("items_per_second");
      if (it != run.counters.end())
        rates_[run.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

 private:
  Rates& rates_;
};

}  // namespace

int bench_main(int argc, char** argv, const std::function<std::vector<ResultLine>(const Rates&)>& summarize) {
  bool json_lines = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json-lines") == 0) {
      json_lines = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  Rates rates;
  CollectingReporter reporter(rates);
  if (json_lines)
    reporter.SetOutputStream(&std::cerr);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const std::vector<ResultLine> lines = summarize(rates);
  int rc = 0;
  for (const ResultLine& l : lines) {
    if (l.per_second <= 0)
      rc = 1;
    const double ratio = l.limit_per_second > 0 ? l.per_second / l.limit_per_second : 0;
    if (json_lines) {
      std::printf("{\"name\": \"%s\", \"per_second\": %.1f, \"limit_per_second\": %.1f, \"ratio\": %.3f}\n",
                  l.name.c_str(), l.per_second, l.limit_per_second, ratio);
    } else {
      std::printf("%-24s %12.1f/s   limit %12.1f/s   ratio %.3f\n", l.name.c_str(), l.per_second,
                  l.limit_per_second, ratio);
    }
  }
  return rc;
}

}  // namespace snprelay::bench
