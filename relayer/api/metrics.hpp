// A small Prometheus registry: counters and gauges with label sets, rendered in the text exposition
// format 0.0.4 (what `GET /metrics` serves).
//
// A metric is registered once with its name, help text and type; samples are then addressed by
// (name, labels). Rendering is stable: metrics in name order, samples in label order (labels are
// sorted by name inside each set), so two scrapes of the same state are byte-identical. A metric
// registered without samples renders as one unlabelled sample of value 0, so every registered name
// is present in a scrape from the start.
//
// Errors (component "api", kind kInternal: they are programming mistakes, not outside input):
//   METRIC_NAME      a metric or label name outside [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no ':', no
//                    leading "__"), or a label named twice in one set
//   METRIC_TYPE      the name is registered already with the other type, or add() on a gauge /
//                    set() on a counter
//   METRIC_UNKNOWN   add() or set() on a name never registered
//   METRIC_NEGATIVE  a counter incremented by a negative or non-finite amount
// Registering the same name again with the same type succeeds and keeps the first help text.
//
// Thread-safety: every member function may be called from any thread; one mutex guards the state.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace snprelay::api {

enum class MetricType { kCounter, kGauge };

// A label set: (name, value) pairs in any order; the registry sorts them by name.
using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
 public:
  // Declares `name` (see the errors above). `help` is free text; it is escaped when rendered.
  [[nodiscard]] Status register_metric(const std::string& name, const std::string& help, MetricType type);

  // Counter: adds `delta` (>= 0) to the sample `labels`, creating it at 0 first.
  [[nodiscard]] Status add(const std::string& name, const Labels& labels, double delta = 1);

  // Counter: sets the sample to `total`, a running total counted elsewhere (the HTTP server's own
  // counters, mirrored on each scrape). METRIC_NEGATIVE when `total` is below the current value or not
  // finite: a counter never goes back.
  [[nodiscard]] Status set_total(const std::string& name, const Labels& labels, double total);

  // Gauge: sets the sample `labels` to `value` (any double, NaN and infinities included).
  [[nodiscard]] Status set(const std::string& name, const Labels& labels, double value);

  // The current value of one sample, or nullopt when the metric or that sample does not exist.
  [[nodiscard]] std::optional<double> value(const std::string& name, const Labels& labels) const;

  // The whole registry in the text format 0.0.4: for each metric "# HELP", "# TYPE", then its samples
  // `name{label="value",...} number` (label values escaped: backslash, double quote, newline).
  [[nodiscard]] std::string render() const;

 private:
  using SortedLabels = std::vector<std::pair<std::string, std::string>>;
  struct Family {
    std::string help;
    MetricType type = MetricType::kCounter;
    std::map<SortedLabels, double> samples;
  };
  // REQUIRES(mutex_)
  [[nodiscard]] Result<double*> sample(const std::string& name, const Labels& labels, MetricType want);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;  // GUARDED_BY(mutex_)
};

// The sample number as Prometheus reads it: integers without a fraction, "+Inf", "-Inf", "NaN", else
// the shortest form that reads back to the same double.
[[nodiscard]] std::string format_metric_value(double value);

}  // namespace snprelay::api
