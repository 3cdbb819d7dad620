// The API's HTTP/1.1 server: Boost.Beast with C++20 coroutines behind a Beast-free header.
//
// Lifecycle: construct with options and a Router, call start() once, then stop() once (the destructor
// calls stop()). The server owns one io_context run by one I/O thread (all socket work, timers and
// the accept loops happen there, so connection state needs no locks), and an asio::thread_pool of
// `worker_threads` threads where Router::handle() runs; the response is handed back to the I/O thread
// and written there. The I/O thread never runs a handler.
//
// Listeners: TCP on `tcp_listen` ("host:port"; port 0 picks a free port, see tcp_port(); empty = no TCP
// listener) and, when `unix_path` is set, a unix stream socket there, created with mode `unix_mode`
// (0600 by default; 0660 to let a group in). An existing socket file at that path is replaced; any
// other file is refused (api LISTEN_FAILED, kInput). The socket file is removed by stop().
//
// Limits (each rejection is counted in stats().rejected by reason):
//   max_header_bytes         larger request line + headers: 431, then close       ("header")
//   max_body_bytes           larger body (declared or sent): 413, then close      ("body")
//   max_connections          across both listeners: a connection past it is answered 503 and closed
//                            at once, so the server never holds more than this many ("connections")
//   max_concurrent_requests  requests inside the pool (queued or running) at once; past it: 503 with
//                            Retry-After: 1, the connection stays usable ("concurrency")
//   request_timeout          the whole request (headers and body) must arrive within it, counted from
//                            its first byte; else 408 and close — a client dribbling bytes is cut off
//                            ("timeout")
//   idle_timeout             a kept-alive connection with no new request for this long is closed
//   malformed HTTP           400 and close ("malformed")
// A request with "Expect: 100-continue" gets "100 Continue" once its header passed the limits (curl
// sends it before bodies over 1 KiB).
// Responses carry "Connection: close" whenever the server closes after them.
//
// stop(): closes the listeners (and removes the unix socket), closes idle connections, lets requests
// already inside a handler finish and their responses be written for up to `stop_grace`, then closes
// every connection and joins the threads. A handler still running after the grace delays the join
// until it returns (threads are never killed); handlers must therefore return.
//
// Errors from start(): api LISTEN_FAILED (bad address: kInput; bind/listen failure: kUnavailable),
// api ALREADY_STARTED (kInternal).
// Thread-safety: start() and stop() from one controlling thread; tcp_port() and stats() from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "relayer/api/http_types.hpp"

namespace snprelay::api {

// Defaults follow config/config.hpp: [api] max_body_bytes and max_connections, [enclave.runtime]
// max_concurrent_requests and request_timeout.
struct ServerOptions {
  std::string tcp_listen = "127.0.0.1:8080";
  std::string unix_path;  // empty = no unix socket
  unsigned unix_mode = 0600;
  std::size_t worker_threads = 2;
  std::size_t max_body_bytes = 65536;
  std::size_t max_header_bytes = 8192;
  std::size_t max_connections = 256;
  std::size_t max_concurrent_requests = 100;
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds stop_grace{5000};
};

// Counters since start(); a consistent-enough copy (each field read atomically).
struct ServerStats {
  std::uint64_t connections_open = 0;
  std::uint64_t connections_total = 0;
  std::uint64_t requests_by_class[6] = {};  // index 1..5: responses 1xx..5xx (index 0 unused)
  std::uint64_t rejected_connections = 0;
  std::uint64_t rejected_concurrency = 0;
  std::uint64_t rejected_header = 0;
  std::uint64_t rejected_body = 0;
  std::uint64_t rejected_timeout = 0;
  std::uint64_t rejected_malformed = 0;
};

class HttpServer {
 public:
  // Borrows `router`, which must outlive the server.
  HttpServer(ServerOptions options, Router& router);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Binds the listeners and starts the threads. On error nothing is left listening.
  [[nodiscard]] Status start();
  // See the lifecycle above. Idempotent.
  void stop();
  // The bound TCP port (0 before start() or without a TCP listener).
  [[nodiscard]] std::uint16_t tcp_port() const;
  [[nodiscard]] ServerStats stats() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace snprelay::api
