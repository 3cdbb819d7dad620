#include "chain/protocol/binding.hpp"

#include <string>

#include "common/hex.hpp"

namespace snprelay::chain::protocol {
namespace {

void put(Bytes& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
}

bool put_lp(Bytes& out, std::string_view s) {
  if (s.size() > 0xffff)
    return false;
  out.push_back(static_cast<std::uint8_t>(s.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(s.size() & 0xff));
  put(out, s);
  return true;
}

void put_u64be(Bytes& out, std::uint64_t n) {
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
}

Error too_long(const char* what) {
  return make_error("chain", "INVALID_BINDING_INPUT", std::string(what) + " longer than 65535 bytes",
                    ErrorKind::kInput);
}

}  // namespace

Result<crypto::Sha512Digest> report_data(std::string_view chain_id, std::uint64_t epoch,
                                         std::span<const std::uint8_t> nonce,
                                         std::string_view operator_address, std::string_view relayer,
                                         std::uint64_t allowlist_version) {
  if (nonce.size() != 32)
    return make_error("chain", "INVALID_BINDING_INPUT",
                      "nonce is " + std::to_string(nonce.size()) + " bytes (expected 32)", ErrorKind::kInput);
  Bytes buf;
  put(buf, "snprelay/report/v1");
  if (!put_lp(buf, chain_id))
    return too_long("chain_id");
  put_u64be(buf, epoch);
  buf.insert(buf.end(), nonce.begin(), nonce.end());
  if (!put_lp(buf, operator_address))
    return too_long("operator");
  if (!put_lp(buf, relayer))
    return too_long("relayer");
  put_u64be(buf, allowlist_version);
  return crypto::sha512(buf);
}

crypto::Sha256Digest allowlist_signing_digest(std::span<const std::uint8_t> update_bytes) {
  Bytes buf;
  put(buf, "snprelay/allowlist/v1");
  buf.insert(buf.end(), update_bytes.begin(), update_bytes.end());
  return crypto::sha256(buf);
}

Result<crypto::Sha256Digest> epoch_nonce(std::string_view chain_id, std::uint64_t epoch,
                                         std::span<const std::uint8_t> previous_block_hash) {
  Bytes buf;
  put(buf, "snprelay/nonce/v1");
  if (!put_lp(buf, chain_id))
    return too_long("chain_id");
  put_u64be(buf, epoch);
  buf.insert(buf.end(), previous_block_hash.begin(), previous_block_hash.end());
  return crypto::sha256(buf);
}

}  // namespace snprelay::chain::protocol
