#include "attest/kds/kds_client.hpp"

#include "attest/certs.hpp"

namespace snprelay::attest {
namespace {

std::string spl_text(const std::optional<std::uint8_t>& v) {
  return v ? std::to_string(*v) : "absent";
}

}  // namespace

KdsClient::KdsClient(KdsClientOptions options, std::shared_ptr<CertFetcher> fetcher,
                     std::shared_ptr<CertCache> cache)
    : options_(std::move(options)), fetcher_(std::move(fetcher)), cache_(std::move(cache)) {}

Status check_vcek_matches(std::span<const std::uint8_t> der, Product product,
                          std::span<const std::uint8_t> chip_id, const TcbParts& tcb) {
  auto certs = parse_certs_any(der);
  if (!certs)
    return certs.error();
  if (certs->size() != 1) {
    return make_error("attest", "CERT_INVALID",
                      "expected one VCEK certificate, got " + std::to_string(certs->size()),
                      ErrorKind::kInput);
  }
  auto ext = parse_vek_extensions(*certs->front());
  if (!ext)
    return ext.error();
  const std::size_t hwid_len = product == Product::kTurin ? 8 : 64;
  const auto want_hwid = chip_id.first(std::min(hwid_len, chip_id.size()));
  if (!ext->hw_id ||
      !std::equal(ext->hw_id->begin(), ext->hw_id->end(), want_hwid.begin(), want_hwid.end())) {
    return make_error("attest", "VCEK_MISMATCH",
                      "the VCEK's hwID " + (ext->hw_id ? to_hex(*ext->hw_id) : std::string("(absent)")) +
                          " is not the requested " + to_hex(want_hwid),
                      ErrorKind::kRejected);
  }
  std::string diff;
  const auto cmp = [&](const char* name, const std::optional<std::uint8_t>& got,
                       std::optional<std::uint8_t> want) {
    if (got != want)
      diff += std::string(diff.empty() ? "" : ", ") + name + " " + spl_text(got) + " != " + spl_text(want);
  };
  cmp("blSPL", ext->bl, tcb.bootloader);
  cmp("teeSPL", ext->tee, tcb.tee);
  cmp("snpSPL", ext->snp, tcb.snp);
  cmp("ucodeSPL", ext->ucode, tcb.microcode);
  if (product == Product::kTurin)
    cmp("fmcSPL", ext->fmc, tcb.fmc);
  if (!diff.empty()) {
    return make_error("attest", "VCEK_MISMATCH", "the VCEK's TCB is not the requested one: " + diff,
                      ErrorKind::kRejected);
  }
  return ok_status();
}

Result<Bytes> KdsClient::fetch_counted(const std::string& url) {
  auto got = fetcher_->fetch(url);
  if (!got)
    failures_->fetch_add(1);
  return got;
}

Result<Bytes> KdsClient::vcek(Product product, std::span<const std::uint8_t> chip_id,
                              const TcbParts& reported_tcb) {
  auto url = vcek_url(options_.base_url, product, chip_id, reported_tcb);
  if (!url)
    return url.error();
  const std::string key = "vcek-" + std::string(product_name(product)) + "-" +
                          to_hex(chip_id.first(product == Product::kTurin ? 8 : 64)) + "-" +
                          std::to_string(encode_tcb(reported_tcb, product));
  return cache_->get_or_fetch(
      key, std::chrono::seconds(0), [&] { return fetch_counted(*url); },
      [&](const Bytes& der) { return check_vcek_matches(der, product, chip_id, reported_tcb); });
}

Result<Bytes> KdsClient::chain(Product product, KdsSigner signer) {
  auto url = chain_url(options_.base_url, product, signer);
  if (!url)
    return url.error();
  const std::string key = std::string(signer == KdsSigner::kVlek ? "vlek" : "vcek") + "-chain-" +
                          std::string(product_name(product));
  return cache_->get_or_fetch(
      key, options_.chain_ttl, [&] { return fetch_counted(*url); },
      [](const Bytes& pem) -> Status {
        auto certs = parse_certs_any(pem);
        if (!certs)
          return certs.error();
        if (certs->size() != 2) {
          return make_error(
              "attest", "CERT_INVALID",
              "a KDS cert_chain holds 2 certificates (ASK then ARK), got " + std::to_string(certs->size()),
              ErrorKind::kInput);
        }
        return ok_status();
      });
}

Result<Bytes> KdsClient::crl(Product product, KdsSigner signer) {
  auto url = crl_url(options_.base_url, product, signer);
  if (!url)
    return url.error();
  const std::string key = std::string(signer == KdsSigner::kVlek ? "vlek" : "vcek") + "-crl-" +
                          std::string(product_name(product));
  return cache_->get_or_fetch(
      key, options_.chain_ttl, [&] { return fetch_counted(*url); },
      [](const Bytes& der) -> Status {
        auto crl = parse_crl(der);
        if (!crl)
          return crl.error();
        return ok_status();
      });
}

}  // namespace snprelay::attest
