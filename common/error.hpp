// The one error vocabulary of snprelay.
//
// Every fallible operation returns Result<T> (or Status, a Result without a value). An Error carries
// the component that produced it ("config", "db", "attest", ...), a stable machine-readable code in
// UPPER_SNAKE_CASE that scripts and tests may depend on, and a human message that names what was wrong
// (file and line, key, value, allowed range, URL, library error code translated at the boundary).
//
// Verification outcomes are not errors: a rejected report is a verdict value produced by attest/.
// Errors are for "could not do what was asked": unreadable input, I/O, a library failure.
//
// Thread-safety: plain values; safe to copy between threads.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace snprelay {

// What kind of failure an Error is. The kind alone decides the CLI's exit code, the API's HTTP status
// and whether health turns degraded, through the one mapping below (never classified again by hand):
//   kInput        the caller's input is wrong: a bad flag, an unreadable or invalid file, a value out of
//                 range. Exit 2, HTTP 400. Retrying the same input cannot succeed.
//   kRejected     the input was understood and refused on its merits: a report that fails verification,
//                 a transaction the chain refused, a key whose policy does not match. Exit 1, HTTP 422.
//   kUnavailable  something outside is down or busy: network, KDS, RPC node, device, TPM. Exit 3,
//                 HTTP 503. Retrying later may succeed.
//   kInternal     a library failure or a broken invariant. Exit 3, HTTP 500. The default, so that an
//                 unclassified error never looks like the caller's fault.
enum class ErrorKind { kInput, kRejected, kUnavailable, kInternal };

// "input", "rejected", "unavailable", "internal": the names --json error objects carry.
[[nodiscard]] constexpr const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInput:
      return "input";
    case ErrorKind::kRejected:
      return "rejected";
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

// The CLI exit code of a kind (README "Exit codes"): 2 input, 1 rejected, 3 unavailable or internal.
[[nodiscard]] constexpr int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInput:
      return 2;
    case ErrorKind::kRejected:
      return 1;
    case ErrorKind::kUnavailable:
    case ErrorKind::kInternal:
      return 3;
  }
  return 3;
}

// The HTTP status of a kind: 400, 422, 503, 500.
[[nodiscard]] constexpr int http_status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInput:
      return 400;
    case ErrorKind::kRejected:
      return 422;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

struct Error {
  std::string component;  // e.g. "config"
  std::string code;       // stable, e.g. "UNKNOWN_KEY"
  std::string message;    // human-readable, names the offending input
  ErrorKind kind = ErrorKind::kInternal;

  // "config UNKNOWN_KEY: <message>" — the form printed by the CLI and written to logs.
  [[nodiscard]] std::string to_string() const { return component + " " + code + ": " + message; }
};

// Builds an Error; the short form keeps call sites on one line.
[[nodiscard]] inline Error make_error(std::string component, std::string code, std::string message,
                                      ErrorKind kind = ErrorKind::kInternal) {
  return Error{std::move(component), std::move(code), std::move(message), kind};
}

// Result<T>: either a T or an Error. Results must be inspected ([[nodiscard]]).
// value() on an error, or error() on a value, is a broken invariant (asserted), never a way to read
// bytes from outside.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error)
      : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  [[nodiscard]] T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  [[nodiscard]] const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  [[nodiscard]] T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  [[nodiscard]] const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

// Status: success, or an Error.
struct Ok {};
using Status = Result<Ok>;
[[nodiscard]] inline Status ok_status() {
  return Status(Ok{});
}

}  // namespace snprelay
