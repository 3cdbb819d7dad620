// Process-wide logging on spdlog.
//
// setup_logging() installs the default logger writing to standard error, as plain text
// ("2026-11-27T21:00:00.123Z info  [attest] message") or as one JSON object per line
// ({"ts":...,"level":...,"component":...,"msg":...}) for log shippers. Components log through
// spdlog's default logger with their name in the message's "component" field via log_for().
//
// Secrets never reach these functions: SecretBytes has no formatter.
// Thread-safety: setup_logging() is called once from main() before threads start; logging itself is
// thread-safe (spdlog's _mt sinks).
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace snprelay {

enum class LogFormat { kText, kJson };

// Parses "trace|debug|info|warn|error|critical|off". Error: log BAD_LEVEL naming the value.
[[nodiscard]] Result<spdlog::level::level_enum> parse_log_level(std::string_view text);
// Parses "text|json". Error: log BAD_FORMAT naming the value.
[[nodiscard]] Result<LogFormat> parse_log_format(std::string_view text);

// Replaces the default logger. Safe to call again (e.g. after the config is loaded).
void setup_logging(spdlog::level::level_enum level, LogFormat format);

// A logger named after a component ("attest", "chain", ...), sharing the default logger's sinks and
// level. Created on first use.
[[nodiscard]] std::shared_ptr<spdlog::logger> log_for(const std::string& component);

}  // namespace snprelay
