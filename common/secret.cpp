#include "common/secret.hpp"

#include <openssl/crypto.h>

namespace snprelay {

SecretBytes::SecretBytes(std::size_t size) : data_(size, 0) {}
SecretBytes::SecretBytes(std::span<const std::uint8_t> bytes) : data_(bytes.begin(), bytes.end()) {}

SecretBytes SecretBytes::from_string(std::string_view text) {
  SecretBytes s(text.size());
  for (std::size_t i = 0; i < text.size(); ++i)
    s.data_[i] = static_cast<std::uint8_t>(text[i]);
  return s;
}

SecretBytes::SecretBytes(const SecretBytes& other) : data_(other.data_) {}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    clear();
    data_ = other.data_;
  }
  return *this;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) {
  other.clear();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    clear();
    data_ = std::move(other.data_);
    other.clear();
  }
  return *this;
}

SecretBytes::~SecretBytes() {
  clear();
}

void SecretBytes::clear() {
  if (!data_.empty())
    OPENSSL_cleanse(data_.data(), data_.size());
  data_.clear();
  data_.shrink_to_fit();
}

bool SecretBytes::equals(const SecretBytes& other) const {
  if (data_.size() != other.data_.size())
    return false;
  return data_.empty() || CRYPTO_memcmp(data_.data(), other.data_.data(), data_.size()) == 0;
}

std::string SecretBytes::to_string_unsafe() const {
  return std::string(data_.begin(), data_.end());
}

}  // namespace snprelay
