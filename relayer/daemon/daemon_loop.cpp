// The epoch loop on Boost.Asio with C++20 coroutines (daemon.hpp). The only coroutine translation unit
// of relayer/daemon (scripts/lint.sh leaves it to GCC: clang-tidy 14 cannot parse coroutines).
// clang-format off
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without including it
// clang-format on
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>

#include "common/log.hpp"
#include "relayer/daemon/daemon.hpp"

namespace snprelay::daemon {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> loop(Daemon& daemon, const std::atomic<bool>& stopping, asio::thread_pool& worker,
                           asio::steady_timer& timer) {
  while (!stopping) {
    // The pass blocks (RPC, ioctl, SQLite): it runs on the worker; this coroutine resumes on the loop's
    // executor when it is done.
    co_await asio::co_spawn(
        worker,
        [&daemon]() -> asio::awaitable<void> {
          daemon.pass();
          co_return;
        },
        asio::use_awaitable);
    if (stopping)
      break;
    timer.expires_after(daemon.poll_interval());
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace

Status run_epoch_loop(Daemon& daemon, const std::atomic<bool>& stopping,
                      const std::function<void(std::function<void()>)>& set_wake) {
  asio::io_context io;
  asio::thread_pool worker(1);
  asio::steady_timer timer(io);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&daemon](const boost::system::error_code& ec, int signo) {
    if (!ec) {
      log_for("daemon")->info("signal {}: finishing the current pass, then stopping", signo);
      daemon.stop();
    }
  });
  // SIGHUP's default action would end the process silently (exit 129, no drain): it reloads instead.
  asio::signal_set hangup(io, SIGHUP);
  std::function<void()> await_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int /*signo*/) {
      if (ec)
        return;  // cancelled: the loop is stopping
      daemon.reload();
      await_hangup();
    });
  };
  await_hangup();
  set_wake([&io, &timer, &signals, &hangup] {
    asio::post(io, [&timer, &signals, &hangup] {
      timer.cancel();
      boost::system::error_code ignored;
      signals.cancel(ignored);
      hangup.cancel(ignored);
    });
  });
  bool finished = false;
  std::string failure;
  asio::co_spawn(io, loop(daemon, stopping, worker, timer),
                 [&finished, &failure, &io](const std::exception_ptr& error) {
                   finished = true;
                   if (error) {
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       failure = e.what();
                     } catch (...) {
                       failure = "unknown exception";
                     }
                   }
                   io.stop();
                 });
  io.run();
  set_wake(nullptr);
  worker.join();
  if (!finished)
    return make_error("daemon", "LOOP_STOPPED", "the epoch loop stopped before it finished",
                      ErrorKind::kInternal);
  if (!failure.empty())
    return make_error("daemon", "LOOP_FAILED", "an epoch pass threw: " + failure, ErrorKind::kInternal);
  return ok_status();
}

}  // namespace snprelay::daemon
