#include "chain/crypto/hash.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace snprelay::chain::crypto {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct MdDeleter {
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
};

// Digest with a fetched algorithm; false when the provider lacks it.
bool evp_digest(const char* name, std::span<const std::uint8_t> data, std::uint8_t* out) {
  std::unique_ptr<EVP_MD, MdDeleter> md(EVP_MD_fetch(nullptr, name, nullptr));
  if (!md)
    return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned len = 0;
  return ctx && EVP_DigestInit_ex(ctx.get(), md.get(), nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out, &len) == 1;
}

// SHA-256 on the hot path (sign doc and tx hash of every transaction): the algorithm is fetched from
// the provider once per process, and each thread keeps one digest context, so a digest is
// init/update/final with no provider lookup and no allocation.
const EVP_MD* sha256_md() {
  static const std::unique_ptr<EVP_MD, MdDeleter> kMd(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  return kMd.get();
}

bool fast_sha256(std::span<const std::uint8_t> data, std::uint8_t* out) {
  thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = sha256_md();
  unsigned len = 0;
  return md != nullptr && ctx && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out, &len) == 1;
}

void must(bool ok) {
  if (!ok)
    std::abort();  // OpenSSL failing on an in-memory digest is a broken invariant.
}

// ---- portable RIPEMD-160 (the reference algorithm of Dobbertin, Bosselaers and Preneel) ----
std::uint32_t rol(std::uint32_t x, int n) {
  return (x << n) | (x >> (32 - n));
}
std::uint32_t f(int j, std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  if (j < 16)
    return x ^ y ^ z;
  if (j < 32)
    return (x & y) | (~x & z);
  if (j < 48)
    return (x | ~y) ^ z;
  if (j < 64)
    return (x & z) | (y & ~z);
  return x ^ (y | ~z);
}
constexpr std::uint32_t kK[5] = {0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E};
constexpr std::uint32_t kKp[5] = {0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000};
constexpr int kR[80] = {0,  1, 2,  3, 4,  5,  6, 7,  8, 9,  10, 11, 12, 13, 14, 15, 7,  4,  13, 1,
                        10, 6, 15, 3, 12, 0,  9, 5,  2, 14, 11, 8,  3,  10, 14, 4,  9,  15, 8,  1,
                        2,  7, 0,  6, 13, 11, 5, 12, 1, 9,  11, 10, 0,  8,  12, 4,  13, 3,  7,  15,
                        14, 5, 6,  2, 4,  0,  5, 9,  7, 12, 2,  10, 14, 1,  3,  8,  11, 6,  15, 13};
constexpr int kRp[80] = {5,  14, 7,  0,  9,  2,  11, 4,  13, 6, 15, 8, 1,  10, 3,  12, 6, 11, 3, 7,
                         0,  13, 5,  10, 14, 15, 8,  12, 4,  9, 1,  2, 15, 5,  1,  3,  7, 14, 6, 9,
                         11, 8,  12, 2,  10, 0,  4,  13, 8,  6, 4,  1, 3,  11, 15, 0,  5, 12, 2, 13,
                         9,  7,  10, 14, 12, 15, 10, 4,  1,  5, 8,  7, 6,  2,  13, 14, 0, 3,  9, 11};
constexpr int kS[80] = {11, 14, 15, 12, 5, 8,  7,  9,  11, 13, 14, 15, 6,  7,  9,  8,  7,  6,  8,  13,
                        11, 9,  7,  15, 7, 12, 15, 9,  11, 7,  13, 12, 11, 13, 6,  7,  14, 9,  13, 15,
                        14, 8,  13, 6,  5, 12, 7,  5,  11, 12, 14, 15, 14, 15, 9,  8,  9,  14, 5,  6,
                        8,  6,  5,  12, 9, 15, 5,  11, 6,  8,  13, 12, 5,  12, 13, 14, 11, 8,  5,  6};
constexpr int kSp[80] = {8,  9,  9,  11, 13, 15, 15, 5, 7,  7,  8,  11, 14, 14, 12, 6,  9,  13, 15, 7,
                         12, 8,  9,  11, 7,  7,  12, 7, 6,  15, 13, 11, 9,  7,  15, 11, 8,  6,  6,  14,
                         12, 13, 5,  14, 13, 13, 7,  5, 15, 5,  8,  11, 14, 14, 6,  14, 6,  9,  12, 9,
                         12, 5,  15, 8,  8,  5,  12, 9, 12, 5,  14, 6,  8,  13, 6,  5,  15, 13, 11, 11};

void compress(std::uint32_t h[5], const std::uint8_t block[64]) {
  std::uint32_t x[16];
  for (std::size_t i = 0; i < 16; ++i)
    x[i] = static_cast<std::uint32_t>(block[4 * i]) | static_cast<std::uint32_t>(block[4 * i + 1]) << 8 |
           static_cast<std::uint32_t>(block[4 * i + 2]) << 16 |
           static_cast<std::uint32_t>(block[4 * i + 3]) << 24;
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  std::uint32_t ap = a, bp = b, cp = c, dp = d, ep = e;
  for (int j = 0; j < 80; ++j) {
    std::uint32_t t = rol(a + f(j, b, c, d) + x[kR[j]] + kK[j / 16], kS[j]) + e;
    a = e;
    e = d;
    d = rol(c, 10);
    c = b;
    b = t;
    t = rol(ap + f(79 - j, bp, cp, dp) + x[kRp[j]] + kKp[j / 16], kSp[j]) + ep;
    ap = ep;
    ep = dp;
    dp = rol(cp, 10);
    cp = bp;
    bp = t;
  }
  const std::uint32_t t = h[1] + c + dp;
  h[1] = h[2] + d + ep;
  h[2] = h[3] + e + ap;
  h[3] = h[4] + a + bp;
  h[4] = h[0] + b + cp;
  h[0] = t;
}

}  // namespace

Sha256Digest sha256(std::span<const std::uint8_t> data) {
  Sha256Digest out{};
  must(fast_sha256(data, out.data()));
  return out;
}

void Sha256Stream::CtxDeleter::operator()(::evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  must(ctx_ && sha256_md() != nullptr && EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) == 1);
}

Sha256Stream::Sha256Stream(const Sha256Stream& other) : ctx_(EVP_MD_CTX_new()) {
  must(ctx_ && EVP_MD_CTX_copy_ex(ctx_.get(), other.ctx_.get()) == 1);
}

void Sha256Stream::update(std::span<const std::uint8_t> data) {
  must(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1);
}

Sha256Digest Sha256Stream::finish() {
  Sha256Digest out{};
  unsigned len = 0;
  must(EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) == 1 && len == out.size());
  return out;
}

Sha256Digest sha256(std::string_view text) {
  return sha256(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Sha512Digest sha512(std::span<const std::uint8_t> data) {
  Sha512Digest out{};
  must(evp_digest("SHA512", data, out.data()));
  return out;
}

Ripemd160Digest ripemd160_portable(std::span<const std::uint8_t> data) {
  std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::size_t i = 0;
  for (; i + 64 <= data.size(); i += 64)
    compress(h, data.data() + i);
  std::uint8_t tail[128] = {};
  const std::size_t rest = data.size() - i;
  if (rest > 0)
    std::memcpy(tail, data.data() + i, rest);
  tail[rest] = 0x80;
  const std::size_t tail_len = rest < 56 ? 64 : 128;
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int k = 0; k < 8; ++k)
    tail[tail_len - 8 + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(bits >> (8 * k));
  compress(h, tail);
  if (tail_len == 128)
    compress(h, tail + 64);
  Ripemd160Digest out{};
  for (int k = 0; k < 20; ++k)
    out[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(h[k / 4] >> (8 * (k % 4)));
  return out;
}

Ripemd160Digest ripemd160(std::span<const std::uint8_t> data) {
  Ripemd160Digest out{};
  if (evp_digest("RIPEMD160", data, out.data()))
    return out;
  return ripemd160_portable(data);
}

SecretBytes hmac_sha512(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
  SecretBytes out(64);
  unsigned len = 0;
  must(HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
            &len) != nullptr &&
       len == 64);
  return out;
}

Result<SecretBytes> pbkdf2_hmac_sha512(std::span<const std::uint8_t> password,
                                       std::span<const std::uint8_t> salt, unsigned iterations,
                                       std::size_t length) {
  SecretBytes out(length);
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(password.data()), static_cast<int>(password.size()),
                        salt.data(), static_cast<int>(salt.size()), static_cast<int>(iterations),
                        EVP_sha512(), static_cast<int>(length), out.data()) != 1)
    return make_error("chain", "CRYPTO_FAILED", "PBKDF2-HMAC-SHA512 failed in OpenSSL");
  return out;
}

}  // namespace snprelay::chain::crypto
