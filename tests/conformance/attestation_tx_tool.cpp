// Test-only helper for the CosmJS conformance harness: signs a snpattest.v1 MsgSubmitAttestation
// transaction with chain/ and prints {"tx_raw","sign_bytes","pubkey","txhash"} as JSON, so that
// conformance.js can decode it with CosmJS's decodeTxRaw and verify the signature against the sign doc.
// Usage: chain_attestation_tx_tool MNEMONIC_FILE CHAIN_ID ACCOUNT_NUMBER SEQUENCE EPOCH
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "chain/keys/account_key.hpp"
#include "chain/keys/bip32.hpp"
#include "chain/keys/secret_input.hpp"
#include "chain/tx/messages.hpp"
#include "chain/tx/sign_direct.hpp"

int main(int argc, char** argv) {
  using namespace snprelay;
  if (argc != 6) {
    std::cerr << "usage: chain_attestation_tx_tool MNEMONIC_FILE CHAIN_ID ACCOUNT_NUMBER SEQUENCE EPOCH\n";
    return 2;
  }
  auto mnemonic = chain::keys::read_secret_file(argv[1]);
  if (!mnemonic)
    return 2;
  auto key = chain::keys::account_key_from_mnemonic(*mnemonic, SecretBytes(), chain::keys::kCosmosHdPath);
  if (!key)
    return 2;
  const std::string relayer = *chain::keys::bech32_address(key->public_key, "cosmos");
  chain::tx::SubmitAttestation msg;
  msg.relayer = relayer;
  msg.operator_address = *chain::keys::bech32_address(key->public_key, "cosmosvaloper");
  msg.epoch = std::strtoull(argv[5], nullptr, 10);
  msg.report.assign(1184, 0);
  for (std::size_t i = 0; i < msg.report.size(); ++i)
    msg.report[i] = static_cast<std::uint8_t>(i * 31 + msg.epoch);
  msg.vcek_der.assign(64, 0x30);
  msg.vcek_sha256.assign(32, 0xab);
  msg.allowlist_version = 3;
  chain::tx::TxSpec spec;
  spec.messages.push_back(chain::tx::make_msg_submit_attestation(msg));
  spec.memo = "snprelay attestation";
  spec.fee.amount.push_back({"ustake", "5000"});
  spec.fee.gas_limit = 400000;
  spec.chain_id = argv[2];
  spec.account_number = std::strtoull(argv[3], nullptr, 10);
  spec.sequence = std::strtoull(argv[4], nullptr, 10);
  auto signed_tx = chain::tx::sign_tx(spec, *key);
  if (!signed_tx)
    return 3;
  nlohmann::json out = {
      {"tx_raw", to_hex(signed_tx->tx_raw)},         {"sign_bytes", to_hex(signed_tx->sign_bytes)},
      {"pubkey", to_hex(key->public_key)},           {"relayer", relayer},
      {"msg_value", to_hex(spec.messages[0].value)}, {"txhash", signed_tx->hash}};
  std::cout << out.dump() << "\n";
  return 0;
}
