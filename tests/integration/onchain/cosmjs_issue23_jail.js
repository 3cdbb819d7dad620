// Enforcement "jail" on a real 3-validator snpattestd localnet, issue 23 point 4 (acceptance): devnet
// init --validators 3 --enforcement jail --jail-after-epochs 2 (10-block epochs); relayers are started
// for validators 0 and 1 only, a few seconds after the chain. Validator 2 is jailed within a few epochs
// (x/staking's REST route says jailed: true; x/snpattest emitted its reason), 0 and 1 are not, and the
// chain keeps producing blocks. Then validator 2's relayer comes back and attests, its operator sends
// MsgUnjail (CosmJS), and it stays unjailed through the following epoch starts. Every process is
// stopped by PID on every exit path. Usage: node cosmjs_issue23_jail.js SNPATTESTD_BIN SNPRELAY_BIN
"use strict";
const { execFileSync, spawn } = require("child_process");
const assert = require("assert");
const fs = require("fs");
const http = require("http");
const os = require("os");
const path = require("path");
const { Comet38Client } = require("@cosmjs/tendermint-rpc");
const { SigningStargateClient, GasPrice, defaultRegistryTypes } = require("@cosmjs/stargate");
const { DirectSecp256k1HdWallet, Registry } = require("@cosmjs/proto-signing");
const { MsgUnjail } = require("cosmjs-types/cosmos/slashing/v1beta1/tx");

const [snpattestd, snprelay] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snprelay-jail23-"));
const children = [];
let passed = false;
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    process.exit(1);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function getJSON(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${url}: ${res.statusCode} ${body}`))));
    }).on("error", reject);
  });
}
const env = { ...process.env, SNPRELAY_KEY_PASSPHRASE: "issue23-jail-passphrase" };
function startRelayer(manifest, i) {
  const home = path.join(dir, `relayer${i}`);
  if (!fs.existsSync(path.join(home, "snprelay.toml"))) {
    execFileSync(snprelay, ["init", "--devnet", manifest, "--validator", String(i), "--home", home,
      "--api-listen", "127.0.0.1:0"], { stdio: ["ignore", "ignore", "inherit"], env });
  }
  const log = path.join(dir, `relayer${i}.log`);
  const c = spawn(snprelay, ["start", "--config", path.join(home, "snprelay.toml")],
    { stdio: ["ignore", fs.openSync(log, "a"), fs.openSync(log, "a")], env });
  children.push(c);
  return c;
}

async function main() {
  const sim = path.join(dir, "sim");
  const home = path.join(dir, "home");
  execFileSync(snprelay, ["report", "get", "--simulate", "--sim-state", sim, "--report-data", "00", "-o",
    path.join(dir, "first.report")], { stdio: ["ignore", "ignore", "inherit"] });
  execFileSync(snpattestd, ["devnet", "init", "--home", home, "--sim-state", sim, "--validators", "3",
    "--block-time", "400ms", "--epoch-blocks", "10", "--enforcement", "jail", "--jail-after-epochs", "2"],
  { stdio: "inherit" });
  const manifest = path.join(home, "devnet.json");
  const info = JSON.parse(fs.readFileSync(manifest, "utf8"));
  const logPath = path.join(home, "devnet.log");
  const chain = spawn(snpattestd, ["devnet", "start", "--home", home], { stdio: ["ignore", fs.openSync(logPath, "w"), fs.openSync(logPath, "a")] });
  children.push(chain);
  for (const until = Date.now() + 90000; ;) {
    if (chain.exitCode !== null) throw new Error("devnet start exited:\n" + fs.readFileSync(logPath, "utf8").slice(-3000));
    if (/^ready/m.test(fs.readFileSync(logPath, "utf8"))) break;
    if (Date.now() > until) throw new Error("devnet not ready in 90 s");
    await sleep(200);
  }
  await sleep(3000);
  const relayers = [startRelayer(manifest, 0), startRelayer(manifest, 1)];
  const rest = info.rest[0];
  const ops = info.validators.map((v) => v.operator);
  const jailed = async (op) => (await getJSON(`${rest}/cosmos/staking/v1beta1/validators/${op}`)).validator.jailed === true;
  const height = async () => Number((await getJSON(`${rest}/cosmos/base/tendermint/v1beta1/blocks/latest`)).block.header.height);

  // Epoch starts at 10, 20, 30, ...: enforcement applies from 10, so validator 2 is due at 30.
  let jailedAt = 0;
  for (const until = Date.now() + 120000; Date.now() < until && !jailedAt; await sleep(500)) {
    for (const r of relayers) if (r.exitCode !== null) throw new Error("a relayer exited; see " + dir);
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
  relayers.push(startRelayer(manifest, 2));
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
  passed = true;
}

main()
  .catch((e) => console.error(e && e.stack ? e.stack : e))
  .finally(async () => {
    for (const c of children.reverse()) {
      if (c.exitCode === null) {
        c.kill("SIGTERM");
        for (let i = 0; i < 100 && c.exitCode === null; i++) await sleep(100);
        if (c.exitCode === null) c.kill("SIGKILL");
      }
    }
    if (passed) fs.rmSync(dir, { recursive: true, force: true });
    console.log(passed ? "cosmjs issue 23 jail: PASS" : `cosmjs issue 23 jail: FAIL (kept ${dir})`);
    process.exit(passed ? 0 : 1);
  });
