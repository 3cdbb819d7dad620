#include "chain/rpc/tx_delivery.hpp"

#include "chain/rpc/chain_errors.hpp"

namespace snprelay::chain::rpc {

Result<Delivery> deliver(TxSubmitter& submitter, const std::vector<tx::AnyMessage>& messages,
                         const std::string& memo) {
  auto outcome = submitter.submit(messages, memo);
  if (!outcome)
    return outcome.error();
  Delivery d;
  d.txhash = outcome->check_tx.hash;
  d.code = outcome->check_tx.code;
  d.codespace = outcome->check_tx.codespace;
  d.log = outcome->check_tx.log;
  d.gas_limit = outcome->gas_limit;
  d.sequence = outcome->sequence_used;
  d.resyncs = outcome->resyncs;
  d.simulation_error = outcome->simulation_error;
  const bool in_mempool = d.code == 19 && d.codespace == "sdk";
  if (d.code != 0 && !in_mempool)
    return d;
  auto included = submitter.wait_for(d.txhash);
  if (!included)
    return included.error();
  d.stage = Delivery::Stage::kDelivered;
  d.height = included->height;
  d.code = included->code;
  d.codespace = included->codespace;
  d.log = included->log;
  d.gas_wanted = included->gas_wanted;
  d.gas_used = included->gas_used;
  return d;
}

Error refusal(const Delivery& d) {
  auto name = sdk_error_name(d.codespace, d.code);
  const std::string where =
      d.stage == Delivery::Stage::kCheckTx
          ? "refused by CheckTx (not in a block)"
          : "refused in block " + std::to_string(d.height) + " (fee and sequence consumed)";
  return make_error("chain", name ? std::string(*name) : std::string("TX_REJECTED"),
                    "tx " + d.txhash + " " + where + ": " + (d.codespace.empty() ? "?" : d.codespace) +
                        " code " + std::to_string(d.code) + ": " + d.log,
                    ErrorKind::kRejected);
}

}  // namespace snprelay::chain::rpc
