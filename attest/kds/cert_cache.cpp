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

namespace snprelay::attest {
namespace {

constexpr std::string_view kMagic = "snprelay-cert-cache v1 ";

std::string sha256_hex(const Bytes& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(std::span<const std::uint8_t>(md, len));
}

Error cache_error(const std::string& what, const std::string& path, int err) {
  return make_error("attest", "CACHE_IO", what + " " + path + ": " + std::strerror(err));
}

}  // namespace

Result<std::unique_ptr<CertCache>> CertCache::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_error("attest", "CACHE_IO", "cannot create certificate cache " + dir + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0)
    return cache_error("cannot set mode 0700 on", dir, errno);
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
  auto raw = read_file(path);
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
  std::string tmpl = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    return cache_error("cannot create a temporary file for", path, errno);
  const std::string header =
      std::string(kMagic) + sha256_hex(payload) + " " + std::to_string(std::time(nullptr)) + "\n";
  Bytes file(header.begin(), header.end());
  file.insert(file.end(), payload.begin(), payload.end());
  const ssize_t n = ::write(fd, file.data(), file.size());
  const int werr = n < 0 ? errno : 0;
  const bool ok = n == static_cast<ssize_t>(file.size()) && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmpl.c_str(), path.c_str()) != 0) {
    const int err = werr != 0 ? werr : (errno != 0 ? errno : EIO);
    ::unlink(tmpl.c_str());
    return cache_error("cannot write", path, err);
  }
  return ok_status();
}

Result<Bytes> CertCache::get_or_fetch(const std::string& key, std::chrono::seconds ttl, const Fetch& fetch,
                                      const Validate& validate) {
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return !in_flight_.contains(key); });
    if (auto cached = get(key, ttl))
      return std::move(*cached);
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
