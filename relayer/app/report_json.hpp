// Report, Verdict and health as JSON: the one rendering the CLI (--json, `report show`) and the
// daemon's API share. Every string that comes from input (a failure message quoting a certificate
// name) is escaped (text.hpp), so dump() never throws and no control byte reaches the output.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "attest/report.hpp"
#include "attest/tcb.hpp"
#include "attest/verdict.hpp"

namespace snprelay::app {

// 0x-prefixed, 16 hex digits.
[[nodiscard]] std::string hex64(std::uint64_t v);

// A TCB_VERSION decoded for `product`: {fmc?, bootloader, tee, snp, microcode, raw}.
[[nodiscard]] nlohmann::ordered_json tcb_json(std::uint64_t raw, attest::Product product);

// The product a report's TCBs are decoded for: `forced`, else the report's CPUID, else unknown.
[[nodiscard]] attest::Product show_product(const attest::Report& r, std::optional<attest::Product> forced);

// Every field of `r`, decoded (policy bits, platform info, key info, TCBs for `product`).
[[nodiscard]] nlohmann::ordered_json report_json(const attest::Report& r, attest::Product product);

// {accepted, failures: [{code, message}], product, and the report's identity when it parsed}.
[[nodiscard]] nlohmann::ordered_json verdict_json(const attest::Verdict& v);

// Health as the daemon reports it: {status: "ok"|"degraded", error?: {kind, code, message}}.
[[nodiscard]] nlohmann::ordered_json health_json(const std::optional<Error>& last_error);

}  // namespace snprelay::app
