#include "attest/ossl.hpp"

#include <openssl/ecdsa.h>

namespace snprelay::attest {

std::optional<std::vector<std::uint8_t>> ecdsa_signature_der(std::span<const std::uint8_t> r,
                                                             std::span<const std::uint8_t> s,
                                                             ScalarOrder order) {
  const auto r_len = ossl_int(r.size());
  const auto s_len = ossl_int(s.size());
  if (!r_len || !s_len)
    return std::nullopt;
  const auto to_bn = order == ScalarOrder::kLittleEndian ? BN_lebin2bn : BN_bin2bn;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BignumPtr r_bn(to_bn(r.data(), *r_len, nullptr));
  BignumPtr s_bn(to_bn(s.data(), *s_len, nullptr));
  if (!sig || !r_bn || !s_bn || ECDSA_SIG_set0(sig.get(), r_bn.get(), s_bn.get()) != 1)
    return std::nullopt;
  (void)r_bn.release();  // owned by sig now
  (void)s_bn.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0)
    return std::nullopt;
  std::vector<std::uint8_t> der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != len)
    return std::nullopt;
  return der;
}

}  // namespace snprelay::attest
