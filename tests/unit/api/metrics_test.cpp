// relayer/api/metrics: registration rules, the text format 0.0.4 (escaping, ordering, numbers) and a
// parse-back of the rendered text by a small independent reader of the format.
#include "relayer/api/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "relayer/api/server_metrics.hpp"

namespace snprelay::api {
namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};
struct Parsed {
  std::map<std::string, std::string> help, type;
  std::vector<Sample> samples;
};

// Reads `name{a="x",b="y"} value` lines, undoing the label-value escapes; fails the test on any line
// that is not in the format.
Parsed parse_exposition(const std::string& text) {
  Parsed out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const std::string rest = line.substr(7);
      const auto sp = rest.find(' ');
      EXPECT_NE(sp, std::string::npos) << line;
      (line[2] == 'H' ? out.help : out.type)[rest.substr(0, sp)] = rest.substr(sp + 1);
      continue;
    }
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
      s.name += line[i++];
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::string key;
        while (i < line.size() && line[i] != '=')
          key += line[i++];
        EXPECT_EQ(line.substr(i, 2), "=\"") << line;
        i += 2;
        std::string value;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
          ++i;
        }
        ++i;  // closing quote
        s.labels[key] = value;
        if (i < line.size() && line[i] == ',')
          ++i;
      }
      ++i;  // '}'
    }
    EXPECT_EQ(line[i], ' ') << line;
    s.value = line.substr(i + 1);
    out.samples.push_back(s);
  }
  return out;
}

TEST(ApiMetrics, RegisterTwiceWithOtherTypeIsAnError) {
  MetricsRegistry r;
  ASSERT_TRUE(r.register_metric("x_total", "x", MetricType::kCounter).ok());
  EXPECT_TRUE(r.register_metric("x_total", "again", MetricType::kCounter).ok());
  const auto again = r.register_metric("x_total", "x", MetricType::kGauge);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "METRIC_TYPE");
}

TEST(ApiMetrics, NamesAndKindsAreChecked) {
  MetricsRegistry r;
  EXPECT_EQ(r.register_metric("1bad", "", MetricType::kGauge).error().code, "METRIC_NAME");
  EXPECT_EQ(r.register_metric("bad-name", "", MetricType::kGauge).error().code, "METRIC_NAME");
  ASSERT_TRUE(r.register_metric("ns:ok_gauge", "", MetricType::kGauge).ok());
  ASSERT_TRUE(r.register_metric("c_total", "", MetricType::kCounter).ok());
  EXPECT_EQ(r.add("missing", {}, 1).error().code, "METRIC_UNKNOWN");
  EXPECT_EQ(r.add("ns:ok_gauge", {}, 1).error().code, "METRIC_TYPE");
  EXPECT_EQ(r.set("c_total", {}, 1).error().code, "METRIC_TYPE");
  EXPECT_EQ(r.add("c_total", {}, -1).error().code, "METRIC_NEGATIVE");
  EXPECT_EQ(r.add("c_total", {}, NAN).error().code, "METRIC_NEGATIVE");
  EXPECT_EQ(r.add("c_total", {{"a:b", "x"}}, 1).error().code, "METRIC_NAME");
  EXPECT_EQ(r.add("c_total", {{"__x", "x"}}, 1).error().code, "METRIC_NAME");
  EXPECT_EQ(r.add("c_total", {{"a", "x"}, {"a", "y"}}, 1).error().code, "METRIC_NAME");
  EXPECT_FALSE(r.value("c_total", {}).has_value());
}

TEST(ApiMetrics, CountersAddAndGaugesSet) {
  MetricsRegistry r;
  ASSERT_TRUE(r.register_metric("req_total", "", MetricType::kCounter).ok());
  ASSERT_TRUE(r.register_metric("temp", "", MetricType::kGauge).ok());
  ASSERT_TRUE(r.add("req_total", {{"code", "200"}}, 1).ok());
  ASSERT_TRUE(r.add("req_total", {{"code", "200"}}, 2.5).ok());
  ASSERT_TRUE(r.set("temp", {}, 7).ok());
  ASSERT_TRUE(r.set("temp", {}, -3).ok());
  EXPECT_EQ(r.value("req_total", {{"code", "200"}}), 3.5);
  EXPECT_EQ(r.value("temp", {}), -3);
}

TEST(ApiMetrics, RenderEscapesAndParsesBack) {
  MetricsRegistry r;
  ASSERT_TRUE(r.register_metric("b_total", "help with \\ and\nnewline", MetricType::kCounter).ok());
  ASSERT_TRUE(r.register_metric("a_gauge", "a gauge", MetricType::kGauge).ok());
  ASSERT_TRUE(r.register_metric("c_unset", "never set", MetricType::kCounter).ok());
  const std::string nasty = "quote\" back\\slash\nnewline";
  ASSERT_TRUE(r.add("b_total", {{"z", "1"}, {"reason", nasty}}, 4).ok());
  ASSERT_TRUE(r.set("a_gauge", {{"component", "tee"}}, 2).ok());
  ASSERT_TRUE(r.set("a_gauge", {{"component", "snp"}}, 0.25).ok());
  const std::string text = r.render();

  EXPECT_NE(text.find("# HELP b_total help with \\\\ and\\nnewline\n"), std::string::npos) << text;
  EXPECT_NE(text.find("reason=\"quote\\\" back\\\\slash\\nnewline\""), std::string::npos) << text;
  // Metric names sorted; samples of a metric sorted by labels; labels sorted by name.
  EXPECT_LT(text.find("a_gauge"), text.find("b_total"));
  EXPECT_LT(text.find("b_total"), text.find("c_unset"));
  EXPECT_LT(text.find("component=\"snp\""), text.find("component=\"tee\""));
  EXPECT_LT(text.find("reason="), text.find("z=\"1\""));

  const Parsed p = parse_exposition(text);
  EXPECT_EQ(p.type.at("a_gauge"), "gauge");
  EXPECT_EQ(p.type.at("b_total"), "counter");
  ASSERT_EQ(p.samples.size(), 4U);
  EXPECT_EQ(p.samples[0].name, "a_gauge");
  EXPECT_EQ(p.samples[0].labels.at("component"), "snp");
  EXPECT_EQ(p.samples[0].value, "0.25");
  EXPECT_EQ(p.samples[1].value, "2");
  EXPECT_EQ(p.samples[2].name, "b_total");
  EXPECT_EQ(p.samples[2].labels.at("reason"), nasty);
  EXPECT_EQ(p.samples[2].labels.at("z"), "1");
  EXPECT_EQ(p.samples[2].value, "4");
  EXPECT_EQ(p.samples[3].name, "c_unset");
  EXPECT_TRUE(p.samples[3].labels.empty());
  EXPECT_EQ(p.samples[3].value, "0");
  EXPECT_EQ(text, r.render());  // stable
}

TEST(ApiMetrics, SetTotalMirrorsARunningTotalButNeverGoesBack) {
  MetricsRegistry r;
  ASSERT_TRUE(r.register_metric("mirrored_total", "", MetricType::kCounter).ok());
  ASSERT_TRUE(r.register_metric("g", "", MetricType::kGauge).ok());
  ASSERT_TRUE(r.set_total("mirrored_total", {}, 5).ok());
  ASSERT_TRUE(r.set_total("mirrored_total", {}, 5).ok());
  EXPECT_EQ(r.set_total("mirrored_total", {}, 4).error().code, "METRIC_NEGATIVE");
  EXPECT_EQ(r.set_total("mirrored_total", {}, NAN).error().code, "METRIC_NEGATIVE");
  EXPECT_EQ(r.set_total("g", {}, 1).error().code, "METRIC_TYPE");
  EXPECT_EQ(r.value("mirrored_total", {}), 5);
}

TEST(ApiMetrics, ServerStatsArePublishedByClassAndReason) {
  MetricsRegistry r;
  ServerStats s;
  s.connections_open = 3;
  s.connections_total = 10;
  s.requests_by_class[2] = 7;
  s.requests_by_class[5] = 1;
  s.rejected_timeout = 2;
  ASSERT_TRUE(publish_server_stats(s, r).ok());
  ASSERT_TRUE(publish_server_stats(s, r).ok());  // idempotent
  EXPECT_EQ(r.value("snprelay_http_connections_open", {}), 3);
  EXPECT_EQ(r.value("snprelay_http_connections_total", {}), 10);
  EXPECT_EQ(r.value("snprelay_http_responses_total", {{"class", "2xx"}}), 7);
  EXPECT_EQ(r.value("snprelay_http_responses_total", {{"class", "5xx"}}), 1);
  EXPECT_EQ(r.value("snprelay_http_responses_total", {{"class", "4xx"}}), 0);
  EXPECT_EQ(r.value("snprelay_http_rejected_total", {{"reason", "timeout"}}), 2);
  EXPECT_EQ(r.value("snprelay_http_rejected_total", {{"reason", "connections"}}), 0);
  s.connections_total = 9;  // another server's totals: refused
  EXPECT_FALSE(publish_server_stats(s, r).ok());
}

TEST(ApiMetrics, NumbersInPrometheusForm) {
  EXPECT_EQ(format_metric_value(0), "0");
  EXPECT_EQ(format_metric_value(-12), "-12");
  EXPECT_EQ(format_metric_value(1e20), "1e+20");
  EXPECT_EQ(format_metric_value(0.1), "0.1");
  EXPECT_EQ(format_metric_value(INFINITY), "+Inf");
  EXPECT_EQ(format_metric_value(-INFINITY), "-Inf");
  EXPECT_EQ(format_metric_value(NAN), "NaN");
}

TEST(ApiMetrics, ConcurrentAddsAreNotLost) {
  MetricsRegistry r;
  ASSERT_TRUE(r.register_metric("hits_total", "", MetricType::kCounter).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r] {
      for (int i = 0; i < 1000; ++i)
        (void)r.add("hits_total", {{"k", "v"}}, 1);
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(r.value("hits_total", {{"k", "v"}}), 4000);
}

}  // namespace
}  // namespace snprelay::api
