// main() of the 1-validator devnet tests: one devnet (500 ms blocks, 10-block epochs) for the whole
// binary, started before the first test and stopped after the last.
#include <gtest/gtest.h>

#include "tests/integration/onchain/onchain_env.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new snprelay::testing::OnchainEnv({1, "snpdev-1", "500ms", 10, {}}));
  return RUN_ALL_TESTS();
}
