#include "attest/kds/cert_cache.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "common/file_io.hpp"

namespace snprelay::attest {
namespace {

constexpr std::string_view kMagic = "snprelay-cert-cache v1 ";

std::string sha256_hex(const Bytes& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(std::span<const std::uint8_t>(md, len));
}

}  // namespace

Result<std::unique_ptr<CertCache>> CertCache::open(const std::string& dir) {
  // 0700 from the start (never the umask's mode first), parents included.
  if (auto st = make_private_dirs(dir); !st)
    return make_error("attest", "CACHE_IO",
                      "cannot create certificate cache " + dir + ": " + st.error().message);
  return std::unique_ptr<CertCache>(new CertCache(dir));
}

std::string CertCache::path_of(const std::string& key) const {
  // Keys are built by the KDS client from product, hex hwID and TCB; map anything else to '_'.
  std::string name;
  for (char c : key)
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_');
  return dir_ + "/" + name;
}

std::optional<Bytes> CertCache::get(const std::string& key, std::chrono::seconds ttl) {
  const std::string path = path_of(key);
  auto raw = read_input_file(path, kMaxCertificateFileBytes + 256, "cached certificate");
  if (!raw) {
    ++misses_;
    return std::nullopt;
  }
  const Bytes& file = *raw;
  const auto newline = std::find(file.begin(), file.end(), '\n');
  const std::string header(file.begin(), newline);
  std::istringstream fields(header.size() > kMagic.size() ? header.substr(kMagic.size()) : "");
  std::string digest;
  std::int64_t stored = 0;
  const bool header_ok = header.starts_with(kMagic) && (fields >> digest >> stored) && newline != file.end();
  Bytes payload = header_ok ? Bytes(newline + 1, file.end()) : Bytes();
  if (!header_ok || sha256_hex(payload) != digest) {
    ++corrupt_;
    ++misses_;
    ::unlink(path.c_str());
    return std::nullopt;
  }
  if (ttl.count() > 0 && std::time(nullptr) - stored > ttl.count()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return payload;
}

Status CertCache::put(const std::string& key, const Bytes& payload) const {
  const std::string path = path_of(key);
  const std::string header =
      std::string(kMagic) + sha256_hex(payload) + " " + std::to_string(std::time(nullptr)) + "\n";
  Bytes file(header.begin(), header.end());
  file.insert(file.end(), payload.begin(), payload.end());
  if (auto st = write_file_atomic(path, file, 0600); !st)
    return make_error("attest", "CACHE_IO", st.error().message);
  return ok_status();
}

Result<Bytes> CertCache::get_or_fetch(const std::string& key, std::chrono::seconds ttl, const Fetch& fetch,
                                      const Validate& validate) {
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return !in_flight_.contains(key); });
    if (auto cached = get(key, ttl)) {
      if (validate(*cached))
        return std::move(*cached);
      // Intact but not what this key must hold (e.g. another chip's VCEK written over the entry):
      // corrupt like a bad checksum — counted, deleted, fetched again, never returned.
      --hits_;
      ++misses_;
      ++corrupt_;
      ::unlink(path_of(key).c_str());
    }
    in_flight_[key] = true;
  }
  auto fetched = fetch();
  Result<Bytes> result = fetched;
  if (fetched) {
    if (Status st = validate(*fetched); !st) {
      result = st.error();
    } else if (Status stored = put(key, *fetched); !stored) {
      result = stored.error();
    }
  }
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase(key);
  }
  done_.notify_all();
  return result;
}

}  // namespace snprelay::attest
