#include "attest/sim/kds_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <vector>

#include "common/file_io.hpp"

namespace snprelay::attest {
namespace {

Error bad(const std::string& what) {
  return make_error("attest", "BAD_REQUEST", what, ErrorKind::kInput);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

Result<std::uint8_t> parse_spl(std::string_view name, std::string_view value) {
  if (value.empty() || value.size() > 3 || value.find_first_not_of("0123456789") != std::string_view::npos) {
    return bad(std::string(name) + "=" + std::string(value) + " is not a number 0..255");
  }
  const int v = std::stoi(std::string(value));
  if (v > 255)
    return bad(std::string(name) + "=" + std::string(value) + " is out of range 0..255");
  return static_cast<std::uint8_t>(v);
}

Result<TcbParts> parse_query(std::string_view query, bool turin) {
  std::map<std::string, std::uint8_t> values;
  for (const auto part : split(query, '&')) {
    const auto eq = part.find('=');
    if (eq == std::string_view::npos)
      return bad("query parameter \"" + std::string(part) + "\" has no value");
    const std::string name(part.substr(0, eq));
    static constexpr std::array<std::string_view, 5> kKnown = {"blSPL", "teeSPL", "snpSPL", "ucodeSPL",
                                                               "fmcSPL"};
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      return bad("unknown query parameter \"" + name + "\"");
    }
    if (values.contains(name))
      return bad("query parameter \"" + name + "\" is repeated");
    auto v = parse_spl(name, part.substr(eq + 1));
    if (!v)
      return v.error();
    values[name] = *v;
  }
  for (const char* required : {"blSPL", "teeSPL", "snpSPL", "ucodeSPL"}) {
    if (!values.contains(required))
      return bad(std::string("missing query parameter ") + required);
  }
  if (turin != values.contains("fmcSPL")) {
    return bad(turin ? "Turin VCEK requests need fmcSPL" : "fmcSPL is only valid for Turin");
  }
  TcbParts tcb;
  tcb.bootloader = values["blSPL"];
  tcb.tee = values["teeSPL"];
  tcb.snp = values["snpSPL"];
  tcb.microcode = values["ucodeSPL"];
  if (turin)
    tcb.fmc = values["fmcSPL"];
  return tcb;
}

std::string tcb_name(const TcbParts& t) {
  std::string s = "bl" + std::to_string(t.bootloader) + "-tee" + std::to_string(t.tee) + "-snp" +
                  std::to_string(t.snp) + "-ucode" + std::to_string(t.microcode);
  if (t.fmc)
    s += "-fmc" + std::to_string(*t.fmc);
  return s + ".der";
}

}  // namespace

Result<KdsRequest> parse_kds_target(std::string_view target) {
  const auto qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view query =
      qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
  const auto parts = split(path, '/');
  // "", "vcek"|"vlek", "v1", product, resource
  if (parts.size() != 5 || !parts[0].empty() || parts[2] != "v1" ||
      (parts[1] != "vcek" && parts[1] != "vlek")) {
    return bad("unknown path " + std::string(path) +
               " (expected /vcek/v1/{product}/... or /vlek/v1/{product}/...)");
  }
  KdsRequest req;
  req.signer = parts[1] == "vlek" ? KdsSigner::kVlek : KdsSigner::kVcek;
  // AMD's KDS spells the product exactly ("Milan"); so does the stand-in.
  auto product = kds_product(parts[3]);
  if (!product)
    return bad(product.error().message);
  if (product_name(*product) != parts[3])
    return bad("product \"" + std::string(parts[3]) + "\" in a KDS path must be spelled " +
               std::string(product_name(*product)));
  req.product = *product;
  const std::string_view resource = parts[4];
  if (resource == "cert_chain" || resource == "crl") {
    if (!query.empty())
      return bad(std::string(resource) + " takes no query parameters");
    req.kind = resource == "crl" ? KdsRequest::Kind::kCrl : KdsRequest::Kind::kChain;
    return req;
  }
  if (req.signer == KdsSigner::kVlek) {
    return bad("VLEK leaf certificates are only served to cloud providers; guests get them from the host");
  }
  const bool turin = req.product == Product::kTurin;
  const std::size_t want = turin ? 16 : 128;
  if (resource.size() != want) {
    return bad("hwID for " + std::string(product_name(req.product)) + " must be " + std::to_string(want) +
               " hex digits, got " + std::to_string(resource.size()));
  }
  auto hwid = from_hex(resource);
  if (!hwid)
    return bad("hwID is not hex: " + hwid.error().message);
  req.hwid = std::move(hwid).value();
  auto tcb = parse_query(query, turin);
  if (!tcb)
    return tcb.error();
  req.tcb = *tcb;
  return req;
}

std::string DirectoryStore::path_for(const KdsRequest& request) const {
  std::string base = dir_ + "/" + (request.signer == KdsSigner::kVlek ? "vlek" : "vcek") + "/" +
                     std::string(product_name(request.product)) + "/";
  switch (request.kind) {
    case KdsRequest::Kind::kChain:
      return base + "cert_chain.pem";
    case KdsRequest::Kind::kCrl:
      return base + "crl.der";
    case KdsRequest::Kind::kVcek:
      return base + to_hex(request.hwid) + "/" + tcb_name(request.tcb);
  }
  return base;
}

Result<Bytes> DirectoryStore::serve(const KdsRequest& request) {
  const std::string path = path_for(request);
  // No symbolic link anywhere below the served directory: a link planted in it must not expose a file
  // outside. Regular files only, at most a certificate's cap.
  std::string so_far = dir_;
  for (const auto& part : std::filesystem::path(path.substr(dir_.size()))) {
    if (part.empty() || part == "/")
      continue;
    so_far += "/" + part.string();
    struct stat st {};
    if (::lstat(so_far.c_str(), &st) != 0)
      return make_error("attest", "NOT_FOUND", "no file " + path, ErrorKind::kInput);
    if (S_ISLNK(st.st_mode))
      return make_error("attest", "NOT_FOUND", "not serving " + path + ": " + so_far + " is a symbolic link",
                        ErrorKind::kInput);
  }
  auto data = read_input_file(path, kMaxCertificateFileBytes, "KDS file", ReadOptions{.no_follow = true});
  if (!data)
    return make_error("attest", "NOT_FOUND", "not serving " + path + ": " + data.error().message,
                      ErrorKind::kInput);
  return data;
}

}  // namespace snprelay::attest
