// A fault case whose daemon talks to the devnet's node through a fault injector: proxy_ (an RpcProxy,
// tests/integration/rpc_proxy.hpp) in front of node(), made before each case and destroyed after the
// case's daemon has stopped (so no request of the daemon is left waiting in it).
#pragma once

#include <memory>

#include "tests/integration/faults/fault_case.hpp"
#include "tests/integration/rpc_proxy.hpp"

namespace snprelay::testing {

class ProxiedFaultCase : public FaultCase {
 protected:
  void SetUp() override {
    FaultCase::SetUp();
    if (!HasFatalFailure())
      proxy_ = proxy_for(node());
  }
  void TearDown() override {
    FaultCase::TearDown();
    proxy_.reset();
  }

  std::unique_ptr<RpcProxy> proxy_;
};

}  // namespace snprelay::testing
