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

struct Error {
  std::string component;  // e.g. "config"
  std::string code;       // stable, e.g. "UNKNOWN_KEY"
  std::string message;    // human-readable, names the offending input

  // "config UNKNOWN_KEY: <message>" — the form printed by the CLI and written to logs.
  [[nodiscard]] std::string to_string() const { return component + " " + code + ": " + message; }
};

// Builds an Error; the short form keeps call sites on one line.
[[nodiscard]] inline Error make_error(std::string component, std::string code, std::string message) {
  return Error{std::move(component), std::move(code), std::move(message)};
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
