// The real snprelay binary run under `timeout 30` (a regression that blocks on a FIFO fails with exit
// 124 instead of hanging ctest), with a private key store, for the hostile-input tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/run_process.hpp"

namespace snprelay::testing {

inline ProcessResult run_bounded(std::vector<std::string> args, const std::string& keyring_dir) {
  args.insert(args.begin(), {"/usr/bin/timeout", "30", SNPRELAY_BIN});
  return run_process(args, {{"SNPRELAY_KEYRING_DIR", keyring_dir}});
}

// Exit 2 and `needle` on standard error; returns the result for further checks.
inline ProcessResult expect_exit_2(const std::vector<std::string>& args, const std::string& keyring_dir,
                                   const std::string& needle) {
  const ProcessResult r = run_bounded(args, keyring_dir);
  std::string cmd;
  for (const auto& a : args)
    cmd += a + " ";
  EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << cmd << "\nstderr: " << r.err;
  return r;
}

}  // namespace snprelay::testing
