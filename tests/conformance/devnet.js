// CosmJS against a real snpattestd devnet (issue #10 point 8). Starts its own 1-validator devnet in a
// temporary directory (simulated firmware state from `snprelay report get --simulate`, free loopback
// ports), then with the pinned @cosmjs packages: chain id, height, an account, a balance, sendTokens
// from a devnet mnemonic moves the balance, and snpattest.v1.Query/CurrentEpoch through QueryClient +
// createProtobufRpcClient returns the current epoch, whose nonce equals what `snprelay query snpattest
// epoch-at` reports for it. The devnet is stopped by PID on every exit path.
// Usage: node devnet.js SNPATTESTD_BIN SNPRELAY_BIN
"use strict";
const { execFileSync, spawn } = require("child_process");
const assert = require("assert");
const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");
const { Comet38Client } = require("@cosmjs/tendermint-rpc");
const {
  StargateClient,
  SigningStargateClient,
  QueryClient,
  createProtobufRpcClient,
  GasPrice,
  assertIsDeliverTxSuccess,
} = require("@cosmjs/stargate");
const { DirectSecp256k1HdWallet } = require("@cosmjs/proto-signing");
const { toHex } = require("@cosmjs/encoding");
const { BinaryReader } = require("cosmjs-types/binary");

const [snpattestd, snprelay] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snprelay-cosmjs-"));
let child = null;
let passed = false;

// A ctest timeout or ^C must not leave the chain running.
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    process.exit(1);
  });
}

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// snpattest.v1.QueryCurrentEpochResponse{NonceEpoch epoch = 1; int64 blocks_remaining = 2}.
function decodeCurrentEpoch(bytes) {
  const out = { blocks_remaining: 0n };
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      const inner = new BinaryReader(r.bytes());
      while (inner.pos < inner.len) {
        const t = inner.uint32();
        const f = t >>> 3;
        if (f === 1) out.epoch = inner.uint64();
        else if (f === 2) out.nonce = inner.bytes();
        else if (f === 3) out.start_height = inner.int64();
        else if (f === 4) out.deadline_height = inner.int64();
        else if (f === 5) out.allowlist_version = inner.uint64();
        else inner.skipType(t & 7);
      }
    } else if (tag >>> 3 === 2) {
      out.blocks_remaining = r.int64();
    } else {
      r.skipType(tag & 7);
    }
  }
  return out;
}

async function main() {
  const sim = path.join(dir, "sim");
  const home = path.join(dir, "home");
  execFileSync(snprelay, ["report", "get", "--simulate", "--sim-state", sim, "--report-data", "00", "-o",
    path.join(dir, "first.report")], { stdio: ["ignore", "ignore", "inherit"] });
  const base = await freeBlock(20);
  execFileSync(snpattestd, ["devnet", "init", "--home", home, "--sim-state", sim, "--validators", "1",
    "--block-time", "500ms", "--epoch-blocks", "10", "--rpc-port", String(base)], { stdio: "inherit" });
  const info = JSON.parse(fs.readFileSync(path.join(home, "devnet.json"), "utf8"));
  const logPath = path.join(home, "devnet.log");
  const log = fs.openSync(logPath, "w");
  child = spawn(snpattestd, ["devnet", "start", "--home", home], { stdio: ["ignore", log, log] });
  const deadline = Date.now() + 90000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("devnet start exited:\n" + fs.readFileSync(logPath, "utf8").slice(-3000));
    if (/^ready/m.test(fs.readFileSync(logPath, "utf8"))) break;
    if (Date.now() > deadline) throw new Error("devnet not ready in 90 s");
    await sleep(200);
  }
  const url = info.rpc[0];
  const denom = info.denom;
  const [from, to] = info.accounts;

  const comet = await Comet38Client.connect(url);
  const client = await StargateClient.create(comet);
  assert.strictEqual(await client.getChainId(), info.chain_id);
  const height = await client.getHeight();
  assert.ok(height > 0, `height ${height}`);
  const account = await client.getAccount(from.address);
  assert.ok(account, "the funded devnet account exists");
  assert.strictEqual(account.address, from.address);
  const before = await client.getBalance(to.address, denom);
  assert.ok(BigInt(before.amount) > 0n, `balance ${before.amount}${denom}`);
  console.log(`chain ${info.chain_id} height ${height} account #${account.accountNumber} balance ${before.amount}${denom}`);

  const mnemonic = fs.readFileSync(from.mnemonic, "utf8").trim();
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "cosmos" });
  const [signer] = await wallet.getAccounts();
  assert.strictEqual(signer.address, from.address, "the mnemonic file derives the listed address");
  const signing = await SigningStargateClient.createWithSigner(comet, wallet, {
    gasPrice: GasPrice.fromString(`${info.min_gas_price}${denom}`),
  });
  const sent = await signing.sendTokens(from.address, to.address, [{ denom, amount: "12345" }], "auto", "cosmjs");
  assertIsDeliverTxSuccess(sent);
  const after = await client.getBalance(to.address, denom);
  assert.strictEqual(BigInt(after.amount), BigInt(before.amount) + 12345n);
  console.log(`sendTokens ${sent.transactionHash} at height ${sent.height}: balance ${before.amount} -> ${after.amount}`);

  // The first epoch opens at height epoch_blocks.
  for (let i = 0; i < 300 && (await client.getHeight()) <= info.epoch_blocks; i++) await sleep(200);
  const queryClient = QueryClient.withExtensions(comet);
  const rpc = createProtobufRpcClient(queryClient);
  const epoch = decodeCurrentEpoch(await rpc.request("snpattest.v1.Query", "CurrentEpoch", new Uint8Array()));
  assert.ok(epoch.epoch !== undefined && epoch.epoch > 0n, "an open epoch");
  assert.strictEqual(epoch.nonce.length, 32);
  const now = BigInt(await client.getHeight());
  assert.ok(epoch.start_height <= now && epoch.start_height >= now - 2n * BigInt(info.epoch_blocks),
    `epoch start ${epoch.start_height} vs height ${now}`);
  const cli = JSON.parse(execFileSync(snprelay, ["query", "snpattest", "epoch-at", String(epoch.epoch), "--node", url,
    "--json"], { encoding: "utf8" }));
  assert.strictEqual(BigInt(cli.epoch), epoch.epoch);
  assert.strictEqual(cli.nonce, toHex(epoch.nonce));
  assert.strictEqual(BigInt(cli.start_height), epoch.start_height);
  console.log(`CurrentEpoch ${epoch.epoch} nonce ${toHex(epoch.nonce)} start ${epoch.start_height}`);
  comet.disconnect();
  passed = true;
}

main()
  .catch((e) => {
    console.error(e && e.stack ? e.stack : e);
  })
  .finally(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      for (let i = 0; i < 100 && child.exitCode === null; i++) await sleep(100);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    if (passed) fs.rmSync(dir, { recursive: true, force: true });
    console.log(passed ? "cosmjs devnet: PASS" : `cosmjs devnet: FAIL (kept ${dir})`);
    process.exit(passed ? 0 : 1);
  });
