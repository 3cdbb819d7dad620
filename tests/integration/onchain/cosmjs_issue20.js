// CosmJS against a real snpattestd devnet, issue 20 (canonical identities, sound signer set). Starts
// its own 1-validator devnet (simulated firmware state from `snprelay report get --simulate`), then
// with the pinned @cosmjs packages of tests/conformance:
//   - MsgSetRelayer naming the validator's operator address in upper case (the same bytes to a bech32
//     decoder, signed by the same key) is refused with sdk code 7 naming the canonical form; the
//     canonical spelling is accepted; the Relayer query under the upper-case spelling finds the binding;
//   - two governance proposals of MsgSetAllowlistSigners, one naming one public key under two key ids
//     and one sound: the first fails in execution with DUPLICATE_PUBKEY, the second passes, and the
//     chain's signer set is the sound one.
// The devnet is stopped by PID on every exit path. Usage: node cosmjs_issue20.js SNPATTESTD_BIN SNPRELAY_BIN
"use strict";
const { execFileSync, spawn } = require("child_process");
const assert = require("assert");
const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");
const { Comet38Client } = require("@cosmjs/tendermint-rpc");
const { SigningStargateClient, QueryClient, createProtobufRpcClient, GasPrice, defaultRegistryTypes } =
  require("@cosmjs/stargate");
const { DirectSecp256k1HdWallet, Registry } = require("@cosmjs/proto-signing");
const { fromHex } = require("@cosmjs/encoding");
const { BinaryReader, BinaryWriter } = require("cosmjs-types/binary");
const { QueryProposalRequest, QueryProposalResponse } = require("cosmjs-types/cosmos/gov/v1/query");

const [snpattestd, snprelay] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snprelay-cosmjs20-"));
let child = null;
let passed = false;
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    process.exit(1);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}
async function freeBlock(span) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = (2000 + Math.floor(Math.random() * 4000)) * 10;
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error("no free block of loopback ports");
}

// Hand-written encoders of the two snpattest.v1 messages (chain/proto/snpattest/v1/tx.proto).
const MsgSetRelayer = {
  encode(m, w = BinaryWriter.create()) {
    w.uint32(10).string(m.operator);
    w.uint32(18).string(m.relayer);
    return w;
  },
  decode() { throw new Error("not needed"); },
  fromPartial(o) { return o; },
};
const MsgSetAllowlistSigners = {
  encode(m, w = BinaryWriter.create()) {
    w.uint32(10).string(m.authority);
    for (const s of m.signers) {
      const inner = BinaryWriter.create();
      inner.uint32(10).string(s.keyId);
      inner.uint32(18).bytes(s.pubkey);
      w.uint32(18).bytes(inner.finish());
    }
    w.uint32(24).uint32(m.threshold);
    return w;
  },
  decode() { throw new Error("not needed"); },
  fromPartial(o) { return o; },
};

// snpattest.v1.QueryAllowlistSignersResponse{repeated SignerKey signers = 1; threshold = 2; set_version = 3}.
function decodeSigners(bytes) {
  const out = { keyIds: [], threshold: 0, setVersion: 0n };
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      const inner = new BinaryReader(r.bytes());
      while (inner.pos < inner.len) {
        const t = inner.uint32();
        if (t >>> 3 === 1) out.keyIds.push(inner.string());
        else inner.skipType(t & 7);
      }
    } else if (tag >>> 3 === 2) out.threshold = r.uint32();
    else if (tag >>> 3 === 3) out.setVersion = r.uint64();
    else r.skipType(tag & 7);
  }
  return out;
}

function stringField1(bytes) {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) return r.string();
    r.skipType(tag & 7);
  }
  return "";
}

async function main() {
  const sim = path.join(dir, "sim");
  const home = path.join(dir, "home");
  execFileSync(snprelay, ["report", "get", "--simulate", "--sim-state", sim, "--report-data", "00", "-o",
    path.join(dir, "first.report")], { stdio: ["ignore", "ignore", "inherit"] });
  const base = await freeBlock(20);
  execFileSync(snpattestd, ["devnet", "init", "--home", home, "--sim-state", sim, "--validators", "1",
    "--block-time", "500ms", "--epoch-blocks", "10", "--voting-period", "6s", "--rpc-port", String(base)],
  { stdio: "inherit" });
  const info = JSON.parse(fs.readFileSync(path.join(home, "devnet.json"), "utf8"));
  const logPath = path.join(home, "devnet.log");
  child = spawn(snpattestd, ["devnet", "start", "--home", home], { stdio: ["ignore", fs.openSync(logPath, "w"), fs.openSync(logPath, "a")] });
  const deadline = Date.now() + 90000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("devnet start exited:\n" + fs.readFileSync(logPath, "utf8").slice(-3000));
    if (/^ready/m.test(fs.readFileSync(logPath, "utf8"))) break;
    if (Date.now() > deadline) throw new Error("devnet not ready in 90 s");
    await sleep(200);
  }
  const url = info.rpc[0];
  const denom = info.denom;
  const val = info.validators[0];
  const comet = await Comet38Client.connect(url);
  const registry = new Registry(defaultRegistryTypes);
  registry.register("/snpattest.v1.MsgSetRelayer", MsgSetRelayer);
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(fs.readFileSync(val.operator_mnemonic, "utf8").trim(), { prefix: "cosmos" });
  const [acct] = await wallet.getAccounts();
  assert.strictEqual(acct.address, val.account);
  const client = await SigningStargateClient.createWithSigner(comet, wallet, {
    registry, gasPrice: GasPrice.fromString(`${info.min_gas_price}${denom}`),
  });
  const fee = { amount: [{ denom, amount: "20000" }], gas: "800000" };
  const rpc = createProtobufRpcClient(QueryClient.withExtensions(comet));

  // 1. Canonical identities.
  const alias = val.operator.toUpperCase();
  const refused = await client.signAndBroadcast(acct.address,
    [{ typeUrl: "/snpattest.v1.MsgSetRelayer", value: { operator: alias, relayer: val.relayer } }], fee);
  assert.strictEqual(refused.code, 7, `alias MsgSetRelayer: code ${refused.code} ${refused.rawLog}`);
  const rawLog = refused.rawLog || JSON.stringify(refused.events);
  assert.ok(/not in canonical form/.test(rawLog) && rawLog.includes(val.operator), `log: ${rawLog}`);
  console.log(`alias ${alias}: refused, code 7 (${rawLog.slice(0, 160)})`);
  const ok = await client.signAndBroadcast(acct.address,
    [{ typeUrl: "/snpattest.v1.MsgSetRelayer", value: { operator: val.operator, relayer: val.relayer } }], fee);
  assert.strictEqual(ok.code, 0, `canonical MsgSetRelayer: ${ok.rawLog}`);
  const req = BinaryWriter.create();
  req.uint32(10).string(alias);
  const bound = stringField1(await rpc.request("snpattest.v1.Query", "Relayer", req.finish()));
  assert.strictEqual(bound, val.relayer, "the Relayer query resolves the alias to the canonical binding");
  console.log(`canonical binding ${val.operator} -> ${bound}; query under the alias finds it`);

  // 2. A sound signer set, through governance.
  const signers = info.signers.map((s) => ({ keyId: s.key_id, pubkey: fromHex(s.pubkey) }));
  const dup = [signers[0], { keyId: "signer1-again", pubkey: signers[0].pubkey }, signers[1]];
  const anyOf = (set) => ({
    typeUrl: "/snpattest.v1.MsgSetAllowlistSigners",
    value: MsgSetAllowlistSigners.encode({ authority: info.gov_authority, signers: set, threshold: 2 }).finish(),
  });
  const ids = [];
  for (const [title, set] of [["duplicate pubkey", dup], ["sound set", signers]]) {
    const sub = await client.signAndBroadcast(acct.address, [{
      typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
      value: { messages: [anyOf(set)], initialDeposit: [{ denom, amount: "1000" }], proposer: acct.address,
        metadata: "", title, summary: "issue 20 signer-set rule", expedited: false },
    }], fee);
    assert.strictEqual(sub.code, 0, `submit ${title}: ${sub.rawLog}`);
    const ev = sub.events.find((e) => e.type === "submit_proposal");
    const id = BigInt(ev.attributes.find((a) => a.key === "proposal_id").value);
    const vote = await client.signAndBroadcast(acct.address, [{
      typeUrl: "/cosmos.gov.v1beta1.MsgVote", value: { proposalId: id, voter: acct.address, option: 1 },
    }], fee);
    assert.strictEqual(vote.code, 0, `vote ${title}: ${vote.rawLog}`);
    ids.push(id);
  }
  const status = async (id) => QueryProposalResponse.decode(await rpc.request("cosmos.gov.v1.Query", "Proposal",
    QueryProposalRequest.encode({ proposalId: id }).finish())).proposal;
  let props = [];
  for (let i = 0; i < 100; i++) {
    props = await Promise.all(ids.map(status));
    if (props.every((p) => p.status >= 3)) break; // PASSED 3, REJECTED 4, FAILED 5
    await sleep(300);
  }
  assert.strictEqual(props[0].status, 5, `duplicate-pubkey proposal status ${props[0].status}`);
  assert.ok(/DUPLICATE_PUBKEY/.test(props[0].failedReason), `failed_reason: ${props[0].failedReason}`);
  assert.strictEqual(props[1].status, 3, `sound proposal status ${props[1].status} (${props[1].failedReason})`);
  const set = decodeSigners(await rpc.request("snpattest.v1.Query", "AllowlistSigners", new Uint8Array()));
  assert.deepStrictEqual(set.keyIds, signers.map((s) => s.keyId));
  assert.strictEqual(set.setVersion, 1n, "only the sound set was applied");
  console.log(`proposal ${ids[0]}: FAILED (${props[0].failedReason.slice(0, 120)}); proposal ${ids[1]}: PASSED; set_version ${set.setVersion}`);
  comet.disconnect();
  passed = true;
}

main()
  .catch((e) => console.error(e && e.stack ? e.stack : e))
  .finally(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      for (let i = 0; i < 100 && child.exitCode === null; i++) await sleep(100);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    if (passed) fs.rmSync(dir, { recursive: true, force: true });
    console.log(passed ? "cosmjs issue 20: PASS" : `cosmjs issue 20: FAIL (kept ${dir})`);
    process.exit(passed ? 0 : 1);
  });
