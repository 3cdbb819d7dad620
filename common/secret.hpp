// Secret bytes that wipe themselves.
//
// SecretBytes owns key material, passphrases and derived keys. Its storage is cleared with
// OPENSSL_cleanse on destruction, on move-from and on clear(), so a secret never lingers in freed
// memory. It has no stream operator and no implicit conversion to std::string, so it cannot reach a
// log line by accident; to_string_unsafe() exists for the few places that must hand text to a library.
//
// Thread-safety: none; a SecretBytes belongs to one owner at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace snprelay {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size);
  explicit SecretBytes(std::span<const std::uint8_t> bytes);
  static SecretBytes from_string(std::string_view text);

  SecretBytes(const SecretBytes& other);
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  [[nodiscard]] std::size_t size() const { return data_.size(); }
  [[nodiscard]] bool empty() const { return data_.empty(); }
  [[nodiscard]] std::uint8_t* data() { return data_.data(); }
  [[nodiscard]] const std::uint8_t* data() const { return data_.data(); }
  [[nodiscard]] std::span<const std::uint8_t> view() const { return data_; }
  [[nodiscard]] std::span<std::uint8_t> mutable_view() { return data_; }

  // Wipes and empties.
  void clear();
  // Constant-time comparison of contents (sizes compared first, not secret).
  [[nodiscard]] bool equals(const SecretBytes& other) const;
  // Copies the bytes into a std::string; the caller takes over the duty of not logging it.
  [[nodiscard]] std::string to_string_unsafe() const;

 private:
  std::vector<std::uint8_t> data_;
};

}  // namespace snprelay
