// The Prometheus registry (metrics.hpp): validation, storage and the text format 0.0.4.
#include "relayer/api/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace snprelay::api {
namespace {

Error metric_error(const std::string& code, const std::string& message) {
  return make_error("api", code, message, ErrorKind::kInternal);
}

bool valid_name(const std::string& name, bool allow_colon) {
  if (name.empty())
    return false;
  const auto ok_char = [allow_colon](char c, bool first) {
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    return alpha || (!first && c >= '0' && c <= '9');
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!ok_char(name[i], i == 0))
      return false;
  }
  return true;
}

// Backslash and newline always; the double quote too inside label values.
std::string escape(const std::string& text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

const char* type_name(MetricType type) {
  return type == MetricType::kCounter ? "counter" : "gauge";
}

}  // namespace

std::string format_metric_value(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return std::to_string(static_cast<long long>(value));
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, res.ptr);
}

Status MetricsRegistry::register_metric(const std::string& name, const std::string& help, MetricType type) {
  if (!valid_name(name, true))
    return metric_error("METRIC_NAME", "invalid metric name \"" + name + "\"");
  std::lock_guard lock(mutex_);
  const auto it = families_.find(name);
  if (it != families_.end()) {
    if (it->second.type != type) {
      return metric_error("METRIC_TYPE", "metric " + name + " is registered already as a " +
                                             type_name(it->second.type) + ", not a " + type_name(type));
    }
    return ok_status();
  }
  families_.emplace(name, Family{help, type, {}});
  return ok_status();
}

Result<double*> MetricsRegistry::sample(const std::string& name, const Labels& labels, MetricType want) {
  SortedLabels sorted(labels.begin(), labels.end());
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const std::string& label = sorted[i].first;
    if (!valid_name(label, false) || label.rfind("__", 0) == 0)
      return metric_error("METRIC_NAME", "invalid label name \"" + label + "\" on " + name);
    if (i > 0 && sorted[i - 1].first == label)
      return metric_error("METRIC_NAME", "label " + label + " named twice on " + name);
  }
  const auto it = families_.find(name);
  if (it == families_.end())
    return metric_error("METRIC_UNKNOWN", "metric " + name + " is not registered");
  if (it->second.type != want) {
    return metric_error("METRIC_TYPE", "metric " + name + " is a " + type_name(it->second.type) + ", not a " +
                                           type_name(want));
  }
  return &it->second.samples[std::move(sorted)];
}

Status MetricsRegistry::add(const std::string& name, const Labels& labels, double delta) {
  if (!(delta >= 0) || std::isinf(delta))
    return metric_error("METRIC_NEGATIVE",
                        "counter " + name + " cannot grow by " + format_metric_value(delta));
  std::lock_guard lock(mutex_);
  auto s = sample(name, labels, MetricType::kCounter);
  if (!s)
    return s.error();
  **s += delta;
  return ok_status();
}

Status MetricsRegistry::set_total(const std::string& name, const Labels& labels, double total) {
  std::lock_guard lock(mutex_);
  auto s = sample(name, labels, MetricType::kCounter);
  if (!s)
    return s.error();
  if (!(total >= **s) || std::isinf(total)) {
    return metric_error("METRIC_NEGATIVE", "counter " + name + " cannot go from " + format_metric_value(**s) +
                                               " to " + format_metric_value(total));
  }
  **s = total;
  return ok_status();
}

Status MetricsRegistry::set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  auto s = sample(name, labels, MetricType::kGauge);
  if (!s)
    return s.error();
  **s = value;
  return ok_status();
}

std::optional<double> MetricsRegistry::value(const std::string& name, const Labels& labels) const {
  SortedLabels sorted(labels.begin(), labels.end());
  std::sort(sorted.begin(), sorted.end());
  std::lock_guard lock(mutex_);
  const auto it = families_.find(name);
  if (it == families_.end())
    return std::nullopt;
  const auto s = it->second.samples.find(sorted);
  if (s == it->second.samples.end())
    return std::nullopt;
  return s->second;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + escape(family.help, false) + "\n";
    out += "# TYPE " + name + " " + type_name(family.type) + "\n";
    if (family.samples.empty()) {
      out += name + " 0\n";
      continue;
    }
    for (const auto& [labels, value] : family.samples) {
      out += name;
      if (!labels.empty()) {
        out += '{';
        for (std::size_t i = 0; i < labels.size(); ++i) {
          out += (i > 0 ? "," : "") + labels[i].first + "=\"" + escape(labels[i].second, true) + "\"";
        }
        out += '}';
      }
      out += " " + format_metric_value(value) + "\n";
    }
  }
  return out;
}

}  // namespace snprelay::api
