#include "chain/keys/account_key.hpp"

#include "chain/crypto/hash.hpp"
#include "chain/keys/bech32.hpp"
#include "chain/keys/bip32.hpp"
#include "chain/keys/bip39.hpp"

namespace snprelay::chain::keys {

AddressBytes address_of(const crypto::PublicKey& public_key) {
  const auto sha = crypto::sha256(public_key);
  return crypto::ripemd160(sha);
}

Result<std::string> bech32_address(const crypto::PublicKey& public_key, std::string_view prefix) {
  const AddressBytes bytes = address_of(public_key);
  return bech32_encode(prefix, bytes);
}

Result<AccountKey> account_key_from_private(SecretBytes private_key) {
  auto pub = crypto::public_key_of(private_key);
  if (!pub)
    return pub.error();
  return AccountKey{std::move(private_key), *pub, address_of(*pub)};
}

Result<AccountKey> account_key_from_mnemonic(const SecretBytes& mnemonic, const SecretBytes& bip39_passphrase,
                                             std::string_view hd_path) {
  auto path = parse_hd_path(hd_path);
  if (!path)
    return path.error();
  auto seed = mnemonic_to_seed(mnemonic, bip39_passphrase);
  if (!seed)
    return seed.error();
  auto key = derive_private_key(*seed, *path);
  if (!key)
    return key.error();
  return account_key_from_private(std::move(*key));
}

}  // namespace snprelay::chain::keys
