// CosmJS and plain HTTP against a real snpattestd devnet, issue 23 point 5 (REST routes). Starts its own
// 1-validator devnet (simulated firmware state from `snprelay report get --simulate`) with the API
// server on loopback (devnet.json "rest"), runs the relayer of validator 0 (`snprelay init --devnet`,
// `snprelay start`) until its status is ATTESTED, then reads, at one height, through the node's REST
// routes (x-cosmos-block-height) and through the Tendermint RPC (abci_query with the pinned
// @cosmjs/tendermint-rpc client): the operator's status, the ATTESTED status list, the current epoch
// and the attested power; both answers must be equal field by field. An unknown route is a 404 and
// a bad operator a 400 naming it. Every process is stopped by PID on every exit path.
// Usage: node cosmjs_issue23.js SNPATTESTD_BIN SNPRELAY_BIN
"use strict";
const assert = require("assert");
const { Comet38Client } = require("@cosmjs/tendermint-rpc");
const { toBase64 } = require("@cosmjs/encoding");
const { BinaryReader, BinaryWriter } = require("cosmjs-types/binary");
const { get, sleep, Run } = require("./devnet_util");

const run = new Run("snprelay-cosmjs23-", ...process.argv.slice(2));

// A protobuf message as { fieldNumber: [values] }: varints as BigInt, length-delimited as bytes.
function fields(bytes) {
  const out = {};
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const n = tag >>> 3;
    let v;
    if ((tag & 7) === 0) v = BigInt(r.uint64().toString());
    else if ((tag & 7) === 2) v = r.bytes();
    else throw new Error(`unexpected wire type ${tag & 7} for field ${n}`);
    (out[n] = out[n] || []).push(v);
  }
  return out;
}
const str = (b) => (b ? Buffer.from(b).toString("utf8") : "");
const STATUS = ["STATUS_UNSPECIFIED", "STATUS_ATTESTED", "STATUS_STALE", "STATUS_REVOKED"];
const one = (f, n, dflt) => (f[n] ? f[n][0] : dflt);

// snpattest.v1.OperatorStatus (types.proto) in the proto3 JSON form the REST gateway writes.
function statusJSON(bytes) {
  const f = fields(bytes);
  const tcb = f[6] ? fields(f[6][0]) : null;
  const out = {
    operator: str(one(f, 1)),
    status: STATUS[Number(one(f, 2, 0n))],
    last_epoch: String(one(f, 3, 0n)),
    valid_until_epoch: String(one(f, 4, 0n)),
    measurement: toBase64(one(f, 5, new Uint8Array())),
    relayer: str(one(f, 7)),
    consecutive_misses: Number(one(f, 8, 0n)),
    reason: str(one(f, 9)),
    simulated: one(f, 10, 0n) === 1n,
  };
  if (tcb) {
    out.reported_tcb = { product: str(one(tcb, 1)), boot_loader: Number(one(tcb, 2, 0n)), tee: Number(one(tcb, 3, 0n)),
      snp: Number(one(tcb, 4, 0n)), microcode: Number(one(tcb, 5, 0n)), fmc: Number(one(tcb, 6, 0n)) };
  }
  return out;
}

function normaliseREST(s) {
  const out = { ...s };
  if (out.reported_tcb) {
    const t = out.reported_tcb;
    out.reported_tcb = { product: t.product, boot_loader: t.boot_loader, tee: t.tee, snp: t.snp,
      microcode: t.microcode, fmc: t.fmc };
  }
  return out;
}

async function main() {
  const info = await run.devnet(["--validators", "1", "--block-time", "500ms", "--epoch-blocks", "10"]);
  assert.strictEqual(info.rest.length, 1, "devnet.json rest lists one URL per node");
  assert.match(info.rest[0], /^http:\/\/127\.0\.0\.1:\d+$/);
  const rest = info.rest[0];
  const op = info.validators[0].operator;

  const relayer = run.relayer(0);

  let status = null;
  for (const until = Date.now() + 120000; Date.now() < until; await sleep(500)) {
    if (relayer.exitCode !== null) throw new Error(`relayer exited; see ${run.dir}`);
    const r = await get(`${rest}/snpattest/v1/status/${op}`);
    if (r.code === 200 && JSON.parse(r.body).status.status === "STATUS_ATTESTED") { status = JSON.parse(r.body).status; break; }
  }
  assert.ok(status, "validator 0 not ATTESTED through REST within 120 s");
  console.log(`REST /snpattest/v1/status/${op}: ${status.status}, last_epoch ${status.last_epoch}`);

  // One committed height, at or after the one REST saw ATTESTED at, for both paths.
  const comet = await Comet38Client.connect(info.rpc[0]);
  const h = (await comet.status()).syncInfo.latestBlockHeight;
  const at = { "x-cosmos-block-height": String(h) };
  const abci = async (method, data) => {
    const res = await comet.abciQuery({ path: `/snpattest.v1.Query/${method}`, data, height: h });
    assert.strictEqual(res.code, 0, `abci_query ${method}: ${res.log}`);
    return res.value;
  };
  const restAt = async (route) => {
    const r = await get(`${rest}${route}`, at);
    assert.strictEqual(r.code, 200, `${route}: ${r.code} ${r.body}`);
    return JSON.parse(r.body);
  };

  const opReq = BinaryWriter.create().uint32(10).string(op).finish();
  const viaRPC = statusJSON(one(fields(await abci("OperatorStatus", opReq)), 1));
  const viaREST = normaliseREST((await restAt(`/snpattest/v1/status/${op}`)).status);
  assert.deepStrictEqual(viaREST, viaRPC, "status through REST and through the Tendermint RPC");
  assert.strictEqual(viaRPC.status, "STATUS_ATTESTED");

  const listReq = BinaryWriter.create().uint32(8).int32(1).finish();
  const listRPC = (fields(await abci("OperatorStatuses", listReq))[1] || []).map(statusJSON);
  // The gateway (grpc-gateway v1 over gogoproto types) reads an enum query parameter by number only.
  const listREST = (await restAt("/snpattest/v1/statuses?status=1")).statuses.map(normaliseREST);
  assert.deepStrictEqual(listREST, listRPC, "ATTESTED status list");
  assert.strictEqual(listRPC.length, 1);

  const ep = fields(await abci("CurrentEpoch", new Uint8Array()));
  const epREST = await restAt("/snpattest/v1/current_epoch");
  const nonceEpoch = fields(one(ep, 1));
  assert.strictEqual(epREST.epoch.epoch, String(one(nonceEpoch, 1)));
  assert.strictEqual(epREST.epoch.nonce, toBase64(one(nonceEpoch, 2)));
  assert.strictEqual(epREST.blocks_remaining, String(one(ep, 2, 0n)));

  const pw = fields(await abci("AttestedPower", new Uint8Array()));
  const pwREST = await restAt("/snpattest/v1/attested_power");
  assert.deepStrictEqual(pwREST, {
    bonded_validators: Number(one(pw, 1, 0n)), attested_validators: Number(one(pw, 2, 0n)),
    bonded_tokens: str(one(pw, 3)), attested_tokens: str(one(pw, 4)), attested_share: str(one(pw, 5)),
  }, "attested power");
  assert.strictEqual(pwREST.attested_share, "1.000000000000000000", "the only validator is attested");
  console.log(`height ${h}: status, ATTESTED list, epoch ${epREST.epoch.epoch}, power ${pwREST.attested_validators}/${pwREST.bonded_validators} equal through REST and RPC`);

  const bad = await get(`${rest}/snpattest/v1/status/notanaddress`);
  assert.strictEqual(bad.code, 400, `bad operator: ${bad.code} ${bad.body}`);
  assert.ok(bad.body.includes("notanaddress"), bad.body);
  const staking = await get(`${rest}/cosmos/staking/v1beta1/validators/${op}`);
  assert.strictEqual(staking.code, 200, "x/staking's REST route is served too");
  comet.disconnect();
}

run.finish("cosmjs issue 23", main);
