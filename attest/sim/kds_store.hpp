// What the local KDS stand-in serves, and how it reads AMD's request paths.
//
// parse_kds_target() turns a request target such as
//   /vcek/v1/Milan/<128 hex>?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68
//   /vcek/v1/Turin/<16 hex>?fmcSPL=0&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9
//   /vcek/v1/Genoa/cert_chain   /vlek/v1/Milan/cert_chain   /vcek/v1/Milan/crl
// into a KdsRequest, or an error (code BAD_REQUEST, answered 400) naming what was wrong: unknown
// product, hwID of the wrong length or not hex, a missing, repeated, unknown or out-of-range SPL.
// SPLs may be zero-padded ("05"), as snpguest writes them.
//
// KdsStore answers a parsed request with the bytes KDS would send (DER VCEK, PEM chain ASK-then-ARK,
// DER CRL) or NOT_FOUND (answered 404). DirectoryStore serves files laid out as
//   DIR/{vcek|vlek}/{product}/cert_chain.pem
//   DIR/{vcek|vlek}/{product}/crl.der
//   DIR/vcek/{product}/{hwid hex}/bl{n}-tee{n}-snp{n}-ucode{n}[-fmc{n}].der
// which is how AMD's real certificates are given to the stand-in. Regular files only, at most 64 KiB;
// a symbolic link anywhere below DIR is not served (NOT_FOUND), so a link cannot expose other files. The
// simulated firmware provides its own store.
#pragma once

#include <string>
#include <string_view>

#include "attest/kds/kds_url.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"

namespace snprelay::attest {

struct KdsRequest {
  enum class Kind { kVcek, kChain, kCrl } kind = Kind::kVcek;
  KdsSigner signer = KdsSigner::kVcek;
  Product product = Product::kUnknown;
  Bytes hwid;    // kVcek only: 64 bytes (Milan, Genoa) or 8 (Turin)
  TcbParts tcb;  // kVcek only
};

[[nodiscard]] Result<KdsRequest> parse_kds_target(std::string_view target);

class KdsStore {
 public:
  virtual ~KdsStore() = default;
  [[nodiscard]] virtual Result<Bytes> serve(const KdsRequest& request) = 0;
};

class DirectoryStore final : public KdsStore {
 public:
  explicit DirectoryStore(std::string dir) : dir_(std::move(dir)) {}
  [[nodiscard]] Result<Bytes> serve(const KdsRequest& request) override;
  // The file that answers `request` (exposed so tools and tests can lay out a directory).
  [[nodiscard]] std::string path_for(const KdsRequest& request) const;

 private:
  std::string dir_;
};

}  // namespace snprelay::attest
