#include "chain/crypto/secp256k1.hpp"

#include <secp256k1.h>

#include <cstdlib>
#include <memory>

#include "common/aead.hpp"

namespace snprelay::chain::crypto {
namespace {

struct ContextDeleter {
  void operator()(secp256k1_context* ctx) const { secp256k1_context_destroy(ctx); }
};

// The process-wide context: created and randomized once, then only used through const pointers.
const secp256k1_context* context() {
  static const std::unique_ptr<secp256k1_context, ContextDeleter> ctx = [] {
    std::unique_ptr<secp256k1_context, ContextDeleter> c(secp256k1_context_create(SECP256K1_CONTEXT_NONE));
    if (!c)
      std::abort();
    auto seed = random_secret(32);
    if (seed.ok() && secp256k1_context_randomize(c.get(), seed->data()) != 1)
      std::abort();
    return c;
  }();
  return ctx.get();
}

Error invalid_key() {
  return make_error("chain", "INVALID_PRIVATE_KEY", "not a valid secp256k1 private key", ErrorKind::kInput);
}

}  // namespace

bool is_valid_private_key(const SecretBytes& key) {
  return key.size() == 32 && secp256k1_ec_seckey_verify(context(), key.data()) == 1;
}

Result<PublicKey> public_key_of(const SecretBytes& private_key) {
  if (!is_valid_private_key(private_key))
    return invalid_key();
  secp256k1_pubkey pub;
  if (secp256k1_ec_pubkey_create(context(), &pub, private_key.data()) != 1)
    return invalid_key();
  PublicKey out{};
  std::size_t len = out.size();
  if (secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &pub, SECP256K1_EC_COMPRESSED) != 1 ||
      len != out.size())
    return invalid_key();
  return out;
}

Result<SecretBytes> private_key_tweak_add(const SecretBytes& private_key,
                                          std::span<const std::uint8_t, 32> tweak) {
  if (!is_valid_private_key(private_key))
    return invalid_key();
  SecretBytes out(private_key.view());
  if (secp256k1_ec_seckey_tweak_add(context(), out.data(), tweak.data()) != 1)
    return make_error("chain", "INVALID_PRIVATE_KEY", "BIP-32 tweak out of range or produced a zero key",
                      ErrorKind::kInput);
  return out;
}

Result<CompactSignature> sign_digest(const SecretBytes& private_key, const Sha256Digest& digest) {
  if (private_key.size() != 32)
    return invalid_key();
  secp256k1_ecdsa_signature sig;
  // nullptr noncefp = secp256k1_nonce_function_rfc6979 (deterministic), the SDK/CosmJS behaviour.
  // secp256k1_ecdsa_sign checks the key itself (0 for a zero or out-of-range scalar), so no separate
  // secp256k1_ec_seckey_verify pass is needed.
  if (secp256k1_ecdsa_sign(context(), &sig, digest.data(), private_key.data(), nullptr, nullptr) != 1)
    return is_valid_private_key(private_key)
               ? make_error("chain", "SIGN_FAILED", "libsecp256k1 could not sign")
               : invalid_key();
  CompactSignature out{};
  secp256k1_ecdsa_signature_serialize_compact(context(), out.data(), &sig);
  return out;
}

bool verify_digest(std::span<const std::uint8_t> public_key, const Sha256Digest& digest,
                   std::span<const std::uint8_t> signature) {
  if (public_key.size() != 33 || signature.size() != 64)
    return false;
  secp256k1_pubkey pub;
  if (secp256k1_ec_pubkey_parse(context(), &pub, public_key.data(), public_key.size()) != 1)
    return false;
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ecdsa_signature_parse_compact(context(), &sig, signature.data()) != 1)
    return false;
  // Verification of a non-normalized (high-S) signature fails in libsecp256k1, as in the SDK.
  return secp256k1_ecdsa_verify(context(), &sig, digest.data(), &pub) == 1;
}

}  // namespace snprelay::chain::crypto
