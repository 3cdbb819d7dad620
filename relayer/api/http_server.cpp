// The API's HTTP server (http_server.hpp): the one translation unit of relayer/api that includes
// Boost.Beast and uses coroutines. One I/O thread owns every socket and timer; handlers run on the
// pool. Each connection is a coroutine (session) plus a watchdog coroutine that cancels the socket's
// pending operation when the connection's deadline passes (the request timeout, the idle timeout or
// the write timeout, whichever is armed), so a timeout can still be answered with 408.
#include "relayer/api/http_server.hpp"

#include <sys/stat.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>

namespace snprelay::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;
using beast::error_code;

namespace {

Error listen_error(const std::string& message, ErrorKind kind) {
  return make_error("api", "LISTEN_FAILED", message, kind);
}

// "host:port" or "[v6]:port" -> endpoint.
Result<tcp::endpoint> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return listen_error("listen address \"" + text + "\" is not host:port", ErrorKind::kInput);
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 || port_text.empty())
    return listen_error("listen port \"" + port_text + "\" is not 0..65535", ErrorKind::kInput);
  error_code aec;
  const auto address = asio::ip::make_address(host, aec);
  if (aec)
    return listen_error("listen host \"" + host + "\" is not an IP address", ErrorKind::kInput);
  return tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

// The canned answer to a connection past max_connections (written without waiting).
constexpr std::string_view kBusyReply =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n"
    "Retry-After: 1\r\nConnection: close\r\n\r\ntoo many open connections";

HttpResponse plain_error(int status, const std::string& text) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = text + "\n";
  return r;
}

// One connection of either socket type, shared by its session and its watchdog.
struct ConnBase {
  ConnBase() = default;
  ConnBase(const ConnBase&) = delete;
  ConnBase& operator=(const ConnBase&) = delete;
  virtual ~ConnBase() = default;
  virtual void close() = 0;
  bool busy = false;  // a request is between "read" and "response written"
};

template <class Socket>
struct Conn final : ConnBase {
  using socket_type = Socket;
  explicit Conn(Socket s) : socket(std::move(s)), deadline(socket.get_executor()) {}
  void close() override {
    error_code ec;
    socket.close(ec);
    deadline.cancel();
  }
  Socket socket;
  asio::steady_timer deadline;
  bool timed_out = false;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, Router& router)
      : options_(std::move(options)),
        router_(router),
        pool_(options_.worker_threads == 0 ? 1 : options_.worker_threads),
        tcp_acceptor_(io_),
        unix_acceptor_(io_) {}

  ~Impl() { stop(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status start() {
    if (started_)
      return make_error("api", "ALREADY_STARTED", "the HTTP server was started already",
                        ErrorKind::kInternal);
    if (!options_.tcp_listen.empty()) {
      auto endpoint = parse_listen(options_.tcp_listen);
      if (!endpoint)
        return endpoint.error();
      error_code ec;
      tcp_acceptor_.open(endpoint->protocol(), ec);
      if (!ec)
        tcp_acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec)
        tcp_acceptor_.bind(*endpoint, ec);
      if (!ec)
        tcp_acceptor_.listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        close_listeners();
        return listen_error("cannot listen on " + options_.tcp_listen + ": " + ec.message(),
                            ErrorKind::kUnavailable);
      }
      port_ = tcp_acceptor_.local_endpoint().port();
    }
    if (!options_.unix_path.empty()) {
      auto st = listen_unix();
      if (!st) {
        close_listeners();
        return st;
      }
    }
    started_ = true;
    if (tcp_acceptor_.is_open())
      asio::co_spawn(io_, accept_loop(tcp_acceptor_), asio::detached);
    if (unix_acceptor_.is_open())
      asio::co_spawn(io_, accept_loop(unix_acceptor_), asio::detached);
    io_thread_ = std::thread([this] { io_.run(); });
    return ok_status();
  }

  void stop() {
    if (!started_ || stopped_)
      return;
    stopped_ = true;
    asio::post(io_, [this] {
      stopping_ = true;
      close_listeners();
      for (auto& [id, weak] : conns_) {
        if (auto c = weak.lock(); c && !c->busy)
          c->close();
      }
    });
    const auto give_up = Clock::now() + options_.stop_grace;
    while (active_.load() > 0 && Clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    asio::post(io_, [this] {
      for (auto& [id, weak] : conns_) {
        if (auto c = weak.lock())
          c->close();
      }
      io_.stop();
    });
    io_thread_.join();
    pool_.join();
  }

  std::uint16_t port() const { return port_.load(); }

  ServerStats stats() const {
    ServerStats s;
    s.connections_open = open_.load();
    s.connections_total = total_.load();
    for (std::size_t i = 0; i < 6; ++i)
      s.requests_by_class[i] = by_class_[i].load();
    s.rejected_connections = rejected_connections_.load();
    s.rejected_concurrency = rejected_concurrency_.load();
    s.rejected_header = rejected_header_.load();
    s.rejected_body = rejected_body_.load();
    s.rejected_timeout = rejected_timeout_.load();
    s.rejected_malformed = rejected_malformed_.load();
    return s;
  }

 private:
  Status listen_unix() {
    namespace fs = std::filesystem;
    const std::string& path = options_.unix_path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode))
        return listen_error(path + " exists and is not a socket; refusing to replace it", ErrorKind::kInput);
      std::error_code rm;
      fs::remove(path, rm);
    }
    error_code ec;
    const unix_socket::endpoint endpoint(path);
    unix_acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
      unix_acceptor_.bind(endpoint, ec);
    // Before listen(), nobody can connect, so the mode is in place before the first client.
    if (!ec && ::chmod(path.c_str(), options_.unix_mode) != 0)
      ec = error_code(errno, boost::system::system_category());
    if (!ec)
      unix_acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return listen_error("cannot listen on unix socket " + path + ": " + ec.message(),
                          ErrorKind::kUnavailable);
    unix_bound_ = true;
    return ok_status();
  }

  void close_listeners() {
    error_code ec;
    tcp_acceptor_.close(ec);
    unix_acceptor_.close(ec);
    if (unix_bound_) {
      std::error_code rm;
      std::filesystem::remove(options_.unix_path, rm);
      unix_bound_ = false;
    }
  }

  static std::string peer_of(const tcp::socket& s) {
    error_code ec;
    const auto ep = s.remote_endpoint(ec);
    return ec ? "tcp" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  static std::string peer_of(const unix_socket::socket& /*s*/) { return "unix"; }

  template <class Acceptor>
  asio::awaitable<void> accept_loop(Acceptor& acceptor) {
    using Socket = typename Acceptor::protocol_type::socket;
    for (;;) {
      error_code ec;
      Socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (stopping_ || !acceptor.is_open())
        co_return;
      if (ec) {  // out of descriptors and the like: back off instead of spinning
        asio::steady_timer pause(io_, std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      if (open_.load() >= options_.max_connections) {
        ++rejected_connections_;
        socket.non_blocking(true, ec);
        asio::const_buffer busy(kBusyReply.data(), kBusyReply.size());
        (void)socket.write_some(busy, ec);
        socket.shutdown(Socket::shutdown_both, ec);
        socket.close(ec);
        continue;
      }
      ++open_;
      ++total_;
      auto conn = std::make_shared<Conn<Socket>>(std::move(socket));
      const std::uint64_t id = next_id_++;
      conns_[id] = conn;
      asio::co_spawn(io_, watchdog(conn), asio::detached);
      asio::co_spawn(io_, session(conn, id), asio::detached);
    }
  }

  template <class C>
  static asio::awaitable<void> watchdog(std::shared_ptr<C> c) {
    while (c->socket.is_open()) {
      error_code ec;
      co_await c->deadline.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (c->deadline.expiry() <= Clock::now()) {
        c->timed_out = true;
        c->deadline.expires_at(Clock::time_point::max());
        c->socket.cancel(ec);
      }
    }
  }

  static HttpRequest to_request(http::request<http::string_body>&& m, std::string peer) {
    HttpRequest r;
    r.method = std::string(m.method_string());
    r.target = std::string(m.target());
    for (const auto& field : m) {
      std::string name(field.name_string());
      for (char& ch : name)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      auto [it, fresh] = r.headers.emplace(name, std::string(field.value()));
      if (!fresh)
        it->second += ", " + std::string(field.value());
    }
    r.body = std::move(m.body());
    r.peer = std::move(peer);
    return r;
  }

  HttpResponse call_router(const HttpRequest& request) {
    try {
      return router_.handle(request);
    } catch (const std::exception& e) {
      return plain_error(500, std::string("internal error: ") + e.what());
    } catch (...) {
      return plain_error(500, "internal error");
    }
  }

  asio::awaitable<HttpResponse> on_pool(HttpRequest request) { co_return call_router(request); }

  template <class C>
  asio::awaitable<bool> write(C& c, const HttpResponse& r, bool keep_alive, bool head, unsigned version) {
    http::response<http::string_body> m{static_cast<http::status>(r.status), version};
    m.set(http::field::server, "snprelay");
    m.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers)
      m.set(name, value);
    m.keep_alive(keep_alive);
    if (head) {
      m.content_length(r.body.size());
    } else {
      m.body() = r.body;
      m.prepare_payload();
    }
    const int cls = r.status / 100;
    if (cls >= 1 && cls <= 5)
      ++by_class_[static_cast<std::size_t>(cls)];
    c.deadline.expires_after(options_.request_timeout);
    error_code ec;
    co_await http::async_write(c.socket, m, asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }

  // Half-closes, then reads and drops what the client still sends (briefly), so that the client reads
  // our answer instead of a reset caused by unread bytes.
  template <class C>
  static asio::awaitable<void> linger_close(C& c) {
    error_code ec;
    c.socket.shutdown(C::socket_type::shutdown_send, ec);
    c.deadline.expires_after(std::chrono::milliseconds(500));
    std::array<char, 4096> sink{};
    std::size_t drained = 0;
    while (!ec && drained < (1U << 20)) {
      drained += co_await c.socket.async_read_some(asio::buffer(sink),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    }
    c.close();
  }

  template <class C>
  asio::awaitable<void> session(std::shared_ptr<C> c, std::uint64_t id) {
    const std::string peer = peer_of(c->socket);
    beast::flat_buffer buffer;
    for (;;) {
      error_code ec;
      if (buffer.size() == 0) {  // wait for the next request's first byte
        c->deadline.expires_after(options_.idle_timeout);
        co_await c->socket.async_wait(C::socket_type::wait_read,
                                      asio::redirect_error(asio::use_awaitable, ec));
        if (ec || stopping_)
          break;
      }
      c->deadline.expires_after(options_.request_timeout);
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);
      co_await http::async_read_header(c->socket, buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
      if (!ec && !parser.is_done()) {
        // curl waits for "100 Continue" before a larger body; the limits were checked on the header.
        if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          co_await asio::async_write(c->socket, asio::buffer(kContinue.data(), kContinue.size()),
                                     asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec)
          co_await http::async_read(c->socket, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec) {
        std::optional<HttpResponse> answer;
        if (c->timed_out) {
          ++rejected_timeout_;
          answer = plain_error(408, "request not received within the request timeout");
        } else if (ec == http::error::header_limit) {
          ++rejected_header_;
          answer = plain_error(
              431, "request headers larger than " + std::to_string(options_.max_header_bytes) + " bytes");
        } else if (ec == http::error::body_limit) {
          ++rejected_body_;
          answer = plain_error(
              413, "request body larger than " + std::to_string(options_.max_body_bytes) + " bytes");
        } else if (ec != http::error::end_of_stream && ec != asio::error::eof &&
                   ec != asio::error::connection_reset && ec != asio::error::operation_aborted &&
                   ec != http::error::partial_message) {
          ++rejected_malformed_;
          answer = plain_error(400, "malformed HTTP request: " + ec.message());
        }
        if (answer) {
          c->timed_out = false;
          if (co_await write(*c, *answer, false, false, 11))
            co_await linger_close(*c);
        }
        break;
      }
      auto message = parser.release();
      const bool head = message.method() == http::verb::head;
      const unsigned version = message.version();
      bool keep_alive = message.keep_alive();
      HttpResponse response;
      c->busy = true;
      ++active_;
      if (in_handlers_ >= options_.max_concurrent_requests) {
        ++rejected_concurrency_;
        response = plain_error(503, "too many concurrent requests");
        response.headers.emplace_back("Retry-After", "1");
      } else {
        ++in_handlers_;
        c->deadline.expires_at(Clock::time_point::max());  // the handler's time is not the client's
        response = co_await asio::co_spawn(pool_, on_pool(to_request(std::move(message), peer)),
                                           asio::use_awaitable);
        --in_handlers_;
      }
      keep_alive = keep_alive && !stopping_ && c->socket.is_open();
      const bool written = co_await write(*c, response, keep_alive, head, version);
      --active_;
      c->busy = false;
      if (!written)
        break;
      if (!keep_alive) {
        co_await linger_close(*c);
        break;
      }
    }
    c->close();
    conns_.erase(id);
    --open_;
  }

  ServerOptions options_;
  Router& router_;
  asio::io_context io_;
  asio::thread_pool pool_;
  tcp::acceptor tcp_acceptor_;
  unix_socket::acceptor unix_acceptor_;
  std::thread io_thread_;
  bool started_ = false;
  bool stopped_ = false;
  bool unix_bound_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint16_t> port_{0};
  // I/O thread only.
  std::map<std::uint64_t, std::weak_ptr<ConnBase>> conns_;
  std::uint64_t next_id_ = 0;
  std::size_t in_handlers_ = 0;
  // Read by stats() and stop() from other threads.
  std::atomic<std::uint64_t> open_{0}, total_{0}, active_{0};
  std::array<std::atomic<std::uint64_t>, 6> by_class_{};
  std::atomic<std::uint64_t> rejected_connections_{0}, rejected_concurrency_{0}, rejected_header_{0};
  std::atomic<std::uint64_t> rejected_body_{0}, rejected_timeout_{0}, rejected_malformed_{0};
};

HttpServer::HttpServer(ServerOptions options, Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
HttpServer::~HttpServer() = default;
Status HttpServer::start() {
  return impl_->start();
}
void HttpServer::stop() {
  impl_->stop();
}
std::uint16_t HttpServer::tcp_port() const {
  return impl_->port();
}
ServerStats HttpServer::stats() const {
  return impl_->stats();
}

}  // namespace snprelay::api
