// The KDS stand-in's HTTP server: the one translation unit of attest/ that includes Boost.Beast.
#include "attest/sim/kds_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

namespace snprelay::attest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class BeastKdsServer final : public KdsServer {
 public:
  BeastKdsServer(KdsServerOptions options, std::shared_ptr<KdsStore> store)
      : options_(std::move(options)), store_(std::move(store)), acceptor_(io_) {}

  ~BeastKdsServer() override { stop(); }

  Status listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec)
      return make_error("attest", "BIND_FAILED", "bad listen address " + options_.host + ": " + ec.message(),
                        ErrorKind::kInput);
    if (!address.is_loopback())
      return make_error("attest", "BIND_FAILED",
                        "the KDS stand-in listens on loopback only (127.0.0.1 or ::1), not " + options_.host,
                        ErrorKind::kInput);
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(endpoint, ec);
    if (!ec)
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return make_error(
          "attest", "BIND_FAILED",
          "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + ec.message(),
          ErrorKind::kUnavailable);
    }
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
    return ok_status();
  }

  std::uint16_t port() const override { return port_; }

  KdsServerStats stats() const override {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      if (stopped_)
        return;
      stopped_ = true;
    }
    asio::post(io_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
      io_.stop();
    });
    if (thread_.joinable())
      thread_.join();
    stopped_cv_.notify_all();
  }

  void wait() override {
    std::unique_lock lock(mutex_);
    stopped_cv_.wait(lock, [this] { return stopped_; });
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec)
        co_return;  // listener closed
      asio::co_spawn(io_, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::empty_body> parser;
      parser.header_limit(8 * 1024);
      stream.expires_after(std::chrono::seconds(30));
      beast::error_code rec;
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, rec));
      if (rec)
        co_return;
      const auto& req = parser.get();
      http::response<http::vector_body<std::uint8_t>> res = answer(req);
      if (options_.latency.count() > 0) {
        asio::steady_timer timer(stream.get_executor(), options_.latency);
        beast::error_code tec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, tec));
      }
      res.version(req.version());
      res.keep_alive(req.keep_alive());
      res.set(http::field::server, "snprelay-sim-kds");
      res.prepare_payload();
      beast::error_code wec;
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, wec));
      if (wec || !res.keep_alive()) {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
    }
  }

  static http::response<http::vector_body<std::uint8_t>> reply(http::status status, const std::string& type,
                                                               Bytes body) {
    http::response<http::vector_body<std::uint8_t>> res{status, 11};
    res.set(http::field::content_type, type);
    res.body() = std::move(body);
    return res;
  }
  static http::response<http::vector_body<std::uint8_t>> text(http::status status,
                                                              const std::string& message) {
    return reply(status, "text/plain", Bytes(message.begin(), message.end()));
  }

  http::response<http::vector_body<std::uint8_t>> answer(const http::request<http::empty_body>& req) {
    const std::string target(req.target());
    if (target == "/_stats") {
      const KdsServerStats s = stats();
      const std::string json = "{\"requests\":" + std::to_string(s.requests) +
                               ",\"vcek\":" + std::to_string(s.vcek) +
                               ",\"chain\":" + std::to_string(s.chain) + ",\"crl\":" + std::to_string(s.crl) +
                               ",\"errors\":" + std::to_string(s.errors) + "}";
      return reply(http::status::ok, "application/json", Bytes(json.begin(), json.end()));
    }
    std::lock_guard lock(mutex_);
    ++stats_.requests;
    const auto error = [this](http::status status, const std::string& message) {
      ++stats_.errors;
      return text(status, message + "\n");
    };
    if (req.method() != http::verb::get)
      return error(http::status::method_not_allowed, "only GET is served");
    if (options_.rate_limit > 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - window_start_ >= std::chrono::seconds(1)) {
        window_start_ = now;
        window_count_ = 0;
      }
      if (++window_count_ > options_.rate_limit) {
        auto res = error(http::status::too_many_requests, "rate limited");
        res.set(http::field::retry_after, std::to_string(options_.retry_after));
        return res;
      }
    }
    if (options_.fail_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < options_.fail_rate) {
      return error(http::status::internal_server_error, "injected failure");
    }
    auto parsed = parse_kds_target(target);
    if (!parsed)
      return error(http::status::bad_request, parsed.error().message);
    switch (parsed->kind) {
      case KdsRequest::Kind::kVcek:
        ++stats_.vcek;
        break;
      case KdsRequest::Kind::kChain:
        ++stats_.chain;
        break;
      case KdsRequest::Kind::kCrl:
        ++stats_.crl;
        break;
    }
    auto body = store_->serve(*parsed);
    if (!body)
      return error(http::status::not_found, body.error().message);
    const char* type = parsed->kind == KdsRequest::Kind::kChain ? "application/x-pem-file"
                       : parsed->kind == KdsRequest::Kind::kCrl ? "application/pkix-crl"
                                                                : "application/pkix-cert";
    return reply(http::status::ok, type, std::move(body).value());
  }

  KdsServerOptions options_;
  std::shared_ptr<KdsStore> store_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;                                // GUARDED_BY(mutex_)
  KdsServerStats stats_;                                // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point window_start_;  // GUARDED_BY(mutex_)
  std::uint32_t window_count_ = 0;                      // GUARDED_BY(mutex_)
  std::mt19937_64 rng_{std::random_device{}()};         // GUARDED_BY(mutex_)
};

}  // namespace

Result<std::unique_ptr<KdsServer>> KdsServer::start(KdsServerOptions options,
                                                    std::shared_ptr<KdsStore> store) {
  auto server = std::make_unique<BeastKdsServer>(std::move(options), std::move(store));
  if (Status st = server->listen(); !st)
    return st.error();
  return std::unique_ptr<KdsServer>(std::move(server));
}

}  // namespace snprelay::attest
