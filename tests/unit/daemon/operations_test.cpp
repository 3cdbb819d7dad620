// The daemon's operational rules that need no running daemon (issue 21, "Operations"): the gas fallback a
// failed simulation falls back to.
#include <gtest/gtest.h>

#include "relayer/daemon/daemon.hpp"

namespace snprelay::daemon {
namespace {

TEST(GasFallback, AFailedSimulationNeverSignsWithLessThanASubmissionUses) {
  config::Config c;  // defaults: gas_fallback 400,000 (below the 558-630k a submission was measured to use)
  EXPECT_EQ(submission_gas_fallback(c), kSubmissionGasUpperBound);
  EXPECT_GE(kSubmissionGasUpperBound, 630'000u);
  c.chain.gas_fallback = 1'500'000;  // an operator's larger value is kept
  EXPECT_EQ(submission_gas_fallback(c), 1'500'000u);
  c.chain.gas_limit_max = 700'000;  // never above the cap the operator set
  EXPECT_EQ(submission_gas_fallback(c), 700'000u);
}

}  // namespace
}  // namespace snprelay::daemon
