// Fault matrix, RPC: the daemon's [chain] rpc lists an RPC proxy first (tests/integration/rpc_proxy.hpp)
// and the devnet's node itself second. The proxy then misbehaves on every method:
//   * answers HTTP 502 with an HTML page (a broken gateway in front of a node);
//   * answers HTTP 200 with a body that is not JSON;
//   * answers HTTP 200 with JSON that is not a JSON-RPC reply for the request;
//   * forwards only after 5 s, beyond rpc_timeout (2 s here): a slow node.
// The client's contract (chain/rpc/comet_client.hpp): a transport failure, a timeout or "an HTTP 5xx/
// non-JSON reply" fails over to the next endpoint. Each case measures from the fault's START (the
// daemon is started into it) to the first committed epoch.
#include <gtest/gtest.h>

#include "tests/integration/faults/proxied_case.hpp"

namespace snprelay::testing {
namespace {

using std::chrono::seconds;

class RpcFaults : public ProxiedFaultCase {
 protected:
  // The daemon with {proxy, node}, rpc_timeout 2 s, started into a fresh epoch with the proxy already
  // faulty; returns the first committed epoch within `limit` (0 for none) and sets recovery_s_ from
  // the start.
  std::uint64_t run_into_fault(seconds limit) {
    RelayerOptions options;
    options.chain_extra = "rpc_recheck_interval = \"3s\"\n";
    configure({proxy_->url(), node()}, options);
    edit_config("rpc_timeout = \"60s\"", "rpc_timeout = \"2s\"");
    if (HasFailure())
      return 0;
    start_epoch_ = fresh_epoch();
    const auto fault_start = Clock::now();
    start();
    Clock::time_point at;
    const std::uint64_t first = committed_above(start_epoch_ - 1, limit, &at);
    if (first > 0)
      recovery_s_ = seconds_between(fault_start, at);
    return first;
  }

  // The endpoint the daemon's last pass ended on (/v1/status).
  std::string endpoint_in_use() const { return api_json(setup_.api("/v1/status")).value("rpc_endpoint", ""); }

  // See its definition below.
  void garbage_fails_over(int status, const std::string& body, const std::string& fault);

  std::uint64_t start_epoch_ = 0;
  double recovery_s_ = -1;
};

// A first endpoint answering `status` + `body` to every call: not a JSON-RPC reply to the request, so
// CometClient fails over (comet_client.hpp) and the epoch lands through the second endpoint. (Before
// issue 14's fault matrix, an HTTP 200 body was taken as the node's answer and every pass failed with
// rpc BAD_REPLY on the same endpoint.)
void RpcFaults::garbage_fails_over(int status, const std::string& body, const std::string& fault) {
  proxy_->answer("*", status, body);
  const std::uint64_t first = run_into_fault(seconds(30));
  ASSERT_EQ(first, start_epoch_) << "the epoch the daemon started in did not land through node 2\n" << logs();
  EXPECT_EQ(endpoint_in_use(), node());
  EXPECT_GT(proxy_->seen("status") + proxy_->seen("abci_query"), 0) << "the proxy was never asked";
  EXPECT_FALSE(daemon_->exited()) << logs();
  EXPECT_GT(expect_one_submission_per_epoch(), 0);
  report(fault, "fails over to the second endpoint on the first call; the epoch lands there", "nothing",
         recovery_s_, 0);
}

TEST_F(RpcFaults, Http502HtmlFailsOverAndTheEpochLands) {
  garbage_fails_over(502, "<html><body><h1>502 Bad Gateway</h1></body></html>",
                     "RPC answers HTTP 502 + HTML (second endpoint healthy)");
}

TEST_F(RpcFaults, Http200NonJsonFailsOverAndTheEpochLands) {
  garbage_fails_over(200, "this is not json \x01\x02",
                     "RPC answers HTTP 200 with a non-JSON body (second endpoint healthy)");
}

TEST_F(RpcFaults, Http200ReplyToAnotherRequestFailsOverAndTheEpochLands) {
  garbage_fails_over(200, R"({"jsonrpc":"2.0","id":-1,"result":{"unexpected":[1,2,3]}})",
                     "RPC answers HTTP 200 with JSON-RPC for another request id (second endpoint healthy)");
}

TEST_F(RpcFaults, SlowerThanRpcTimeoutFailsOverAndTheEpochLands) {
  proxy_->delay("*", seconds(5));
  const std::uint64_t first = run_into_fault(seconds(40));
  ASSERT_EQ(first, start_epoch_) << "the epoch the daemon started in did not land\n" << logs();
  EXPECT_FALSE(daemon_->exited()) << logs();
  EXPECT_GT(expect_one_submission_per_epoch(), 0);
  // The fault ends: with rpc_recheck_interval 3 s the daemon is back on the first endpoint.
  proxy_->clear_faults();
  const auto healed = Clock::now();
  std::string now;
  while (Clock::now() < healed + seconds(20) && (now = endpoint_in_use()) != proxy_->url())
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(now, proxy_->url()) << logs();
  report("RPC slower than rpc_timeout (5 s vs 2 s; second endpoint healthy)",
         "each call to the slow node times out after 2 s and fails over; the epoch lands; back on the first "
         "endpoint " +
             std::to_string(seconds_between(healed, Clock::now())).substr(0, 3) +
             " s after the node is fast again",
         "nothing", recovery_s_, 0);
}

}  // namespace
}  // namespace snprelay::testing
