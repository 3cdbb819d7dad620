// Fuzz target: the protobuf decode paths fed by the network — TxRaw (ADR-027 envelope + body + auth
// info), QueryAccountResponse (all account types), QueryBalanceResponse, QueryAllBalancesResponse,
// SimulateResponse, snpattest QueryCurrentEpochResponse; plus the `tx broadcast` file-form parser.
// Invariants: an accepted TxRaw passes check_adr027_tx_raw; encode_tx_raw of its parts decodes to the
// same parts, and equals the input byte for byte when body and auth info are non-empty (the envelope
// is canonical: ascending fields, minimal varints, nothing unknown); a decoded epoch nonce is 32
// bytes; the file-form parser returns the binary input itself or a non-empty decoded form.
#include <algorithm>
#include <cstdint>
#include <span>

#include "chain/rpc/queries.hpp"
#include "chain/tx/sign_direct.hpp"
#include "chain/tx/wire.hpp"
#include "fuzz_check.hpp"

namespace {

using snprelay::fuzz::fuzz_check;

void check_tx_raw(std::span<const std::uint8_t> in) {
  using namespace snprelay::chain::tx;
  const auto tx = decode_tx_raw(in);
  if (!tx.ok())
    return;
  fuzz_check(check_adr027_tx_raw(in).ok(), "decode_tx_raw accepted a TxRaw that check_adr027_tx_raw refuses");
  const auto encoded = encode_tx_raw(tx->body_bytes, tx->auth_info_bytes, tx->signatures);
  if (!tx->body_bytes.empty() && !tx->auth_info_bytes.empty())
    fuzz_check(std::equal(encoded.begin(), encoded.end(), in.begin(), in.end()),
               "encode_tx_raw(decode_tx_raw(x)) != x");
  const auto again = decode_tx_raw(encoded);
  fuzz_check(again.ok(), "the re-encoded TxRaw does not decode");
  fuzz_check(again->body_bytes == tx->body_bytes && again->auth_info_bytes == tx->auth_info_bytes &&
                 again->signatures == tx->signatures && again->memo == tx->memo &&
                 again->timeout_height == tx->timeout_height && again->sequences == tx->sequences &&
                 again->signer_public_keys == tx->signer_public_keys &&
                 again->messages.size() == tx->messages.size(),
             "decode(encode(decode(x))) differs from decode(x)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snprelay::chain;
  const std::span<const std::uint8_t> in(data, size);
  check_tx_raw(in);
  (void)rpc::decode_account(in);
  (void)rpc::decode_balance(in, "ustake");
  (void)rpc::decode_all_balances(in);
  (void)rpc::decode_simulate_gas_used(in);
  const auto epoch = rpc::decode_current_epoch(in);
  if (epoch.ok())
    fuzz_check(epoch->nonce.size() == 32, "decode_current_epoch accepted a nonce that is not 32 bytes");
  const auto file = tx::tx_bytes_from_file_contents(in);
  if (file.ok())
    fuzz_check(!file->empty(), "tx_bytes_from_file_contents returned no bytes");
  return 0;
}
