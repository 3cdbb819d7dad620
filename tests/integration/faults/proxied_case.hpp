// A fault case whose daemon talks to the devnet's node through a fault injector: proxy_ (an RpcProxy,
// tests/integration/rpc_proxy.hpp) in front of node(), made before each case and destroyed after the
// case's daemon has stopped (so no request of the daemon is left waiting in it).
#pragma once

#include <memory>
#include <string>

#include "tests/integration/faults/fault_case.hpp"
#include "tests/integration/rpc_proxy.hpp"

namespace snprelay::testing {

// A proxy in front of `rpc` ("http://127.0.0.1:PORT").
inline std::unique_ptr<RpcProxy> proxy_for(const std::string& rpc) {
  return std::make_unique<RpcProxy>("127.0.0.1", std::stoi(rpc.substr(rpc.rfind(':') + 1)));
}

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
