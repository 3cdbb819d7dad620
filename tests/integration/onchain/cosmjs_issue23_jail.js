// Enforcement "jail" on a real 3-validator snpattestd localnet, issue 23 point 4 (acceptance): devnet
// init --validators 3 --enforcement jail --jail-after-epochs 2 (10-block epochs); relayers are started
// for validators 0 and 1 only, a few seconds after the chain. Validator 2 is jailed within a few epochs
// (x/staking's REST route says jailed: true; x/snpattest emitted its reason), 0 and 1 are not, and the
// chain keeps producing blocks. Then validator 2's relayer comes back and attests, its operator sends
// MsgUnjail (CosmJS), and it stays unjailed through the following epoch starts. Every process is
// stopped by PID on every exit path. Usage: node cosmjs_issue23_jail.js SNPATTESTD_BIN SNPRELAY_BIN
"use strict";
const assert = require("assert");
const fs = require("fs");
const { Comet38Client } = require("@cosmjs/tendermint-rpc");
const { SigningStargateClient, GasPrice, defaultRegistryTypes } = require("@cosmjs/stargate");
const { DirectSecp256k1HdWallet, Registry } = require("@cosmjs/proto-signing");
const { MsgUnjail } = require("cosmjs-types/cosmos/slashing/v1beta1/tx");
const { getJSON, sleep, Run } = require("./devnet_util");

const run = new Run("snprelay-jail23-", ...process.argv.slice(2));

async function main() {
  const info = await run.devnet(["--validators", "3", "--block-time", "400ms", "--epoch-blocks", "10",
    "--enforcement", "jail", "--jail-after-epochs", "2"]);
  await sleep(3000);
  const relayers = [run.relayer(0), run.relayer(1)];
  const rest = info.rest[0];
  const ops = info.validators.map((v) => v.operator);
  const jailed = async (op) => (await getJSON(`${rest}/cosmos/staking/v1beta1/validators/${op}`)).validator.jailed === true;
  const height = async () => Number((await getJSON(`${rest}/cosmos/base/tendermint/v1beta1/blocks/latest`)).block.header.height);

  // Epoch starts at 10, 20, 30, ...: enforcement applies from 10, so validator 2 is due at 30.
  let jailedAt = 0;
  for (const until = Date.now() + 120000; Date.now() < until && !jailedAt; await sleep(500)) {
    for (const r of relayers) if (r.exitCode !== null) throw new Error(`a relayer exited; see ${run.dir}`);
    if (await jailed(ops[2])) jailedAt = await height();
  }
  assert.ok(jailedAt, "validator 2 not jailed within 120 s");
  assert.ok(jailedAt >= 30, `validator 2 jailed at height ${jailedAt}, before its two full epochs`);
  assert.strictEqual(await jailed(ops[0]), false, "validator 0 (attesting) jailed");
  assert.strictEqual(await jailed(ops[1]), false, "validator 1 (attesting) jailed");
  const st2 = (await getJSON(`${rest}/snpattest/v1/statuses`)).statuses.find((s) => s.operator === ops[2]);
  assert.ok(!st2 || st2.status !== "STATUS_ATTESTED", "validator 2 has no relayer and cannot be ATTESTED");
  const h0 = await height();
  await sleep(4000);
  assert.ok((await height()) > h0 + 3, "the chain stopped producing blocks after the jailing");
  console.log(`validator 2 jailed (seen at height ${jailedAt}); 0 and 1 not; blocks continue`);

  // Validator 2's relayer comes back and attests; then its operator unjails.
  relayers.push(run.relayer(2));
  let attested = false;
  for (const until = Date.now() + 90000; Date.now() < until && !attested; await sleep(500)) {
    const r = await getJSON(`${rest}/snpattest/v1/statuses`);
    attested = r.statuses.some((s) => s.operator === ops[2] && s.status === "STATUS_ATTESTED");
  }
  assert.ok(attested, "validator 2's relayer did not attest within 90 s while jailed");
  const v2 = info.validators[2];
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(fs.readFileSync(v2.operator_mnemonic, "utf8").trim(), { prefix: "cosmos" });
  const [acct] = await wallet.getAccounts();
  const comet = await Comet38Client.connect(info.rpc[0]);
  const client = await SigningStargateClient.createWithSigner(comet, wallet, {
    registry: new Registry(defaultRegistryTypes), gasPrice: GasPrice.fromString(`${info.min_gas_price}${info.denom}`),
  });
  const registry = client.registry;
  registry.register("/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail);
  const res = await client.signAndBroadcast(acct.address,
    [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: MsgUnjail.fromPartial({ validatorAddr: ops[2] }) }],
    { amount: [{ denom: info.denom, amount: "20000" }], gas: "400000" });
  assert.strictEqual(res.code, 0, `MsgUnjail: ${res.rawLog}`);
  const unjailedAt = await height();
  for (const until = Date.now() + 30000; Date.now() < until && (await jailed(ops[2])); await sleep(300));
  assert.strictEqual(await jailed(ops[2]), false, "MsgUnjail did not unjail validator 2");
  // Two more epoch starts: the unjail sticks while it attests.
  while ((await height()) < unjailedAt + 21) await sleep(500);
  assert.strictEqual(await jailed(ops[2]), false, "validator 2 jailed again although ATTESTED");
  console.log(`validator 2 attested, unjailed at ~${unjailedAt}, still unjailed at ${await height()}`);
  comet.disconnect();
}

run.finish("cosmjs issue 23 jail", main);
