// CosmJS conformance harness (issue #5). Draws random mnemonics, amounts, memos, sequences, account
// numbers, chain ids and timeout heights; signs each MsgSend with `snprelay tx send --offline` and with
// CosmJS (SigningStargateClient.offline(...).sign), and requires byte-identical TxRaw and hash. Then
// decodes a snprelay-signed MsgSubmitAttestation with decodeTxRaw and verifies its signature against
// the sign doc CosmJS rebuilds. Usage: node conformance.js SNPRELAY_BIN TOOL_BIN [ITERATIONS] [SEED]
"use strict";
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { Bip39, EnglishMnemonic, Secp256k1, Secp256k1Signature, sha256 } = require("@cosmjs/crypto");
const { toHex, fromHex } = require("@cosmjs/encoding");
const { DirectSecp256k1HdWallet, decodeTxRaw, makeSignBytes, makeSignDoc } = require("@cosmjs/proto-signing");
const { SigningStargateClient } = require("@cosmjs/stargate");
const { TxRaw } = require("cosmjs-types/cosmos/tx/v1beta1/tx");
const { PubKey } = require("cosmjs-types/cosmos/crypto/secp256k1/keys");

const [bin, tool, itersArg, seedArg] = process.argv.slice(2);
const iterations = Number(itersArg || 25);
let state = BigInt(seedArg || Date.now()) & 0xffffffffn;
console.log(`seed ${state} iterations ${iterations}`);
// xorshift32: reproducible draws from the printed seed.
function rnd() {
  state ^= (state << 13n) & 0xffffffffn;
  state ^= state >> 17n;
  state ^= (state << 5n) & 0xffffffffn;
  return Number(state & 0xffffffffn) / 4294967296;
}
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
function bytes(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(0, 255);
  return b;
}
function memo() {
  const alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/é€漢🙂";
  const chars = Array.from(alphabet);
  let s = "";
  for (let i = int(0, 40); i > 0; i--) s += pick(chars);
  return s;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "snprelay-conformance-"));
let failures = 0;

async function sendCase(i) {
  const mnemonic = Bip39.encode(bytes(pick([16, 20, 24, 28, 32]))).toString();
  const mfile = path.join(tmp, `m${i}.txt`);
  fs.writeFileSync(mfile, mnemonic + "\n", { mode: 0o600 });
  const prefix = pick(["cosmos", "secret", "band", "ojo"]);
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
  const [{ address }] = await wallet.getAccounts();
  const toWallet = await DirectSecp256k1HdWallet.fromMnemonic(Bip39.encode(bytes(16)).toString(), { prefix });
  const [{ address: to }] = await toWallet.getAccounts();
  const denom = pick(["ustake", "ucosm", "uatom", "stake"]);
  const amount = String(int(1, 2 ** 31)) + (rnd() < 0.3 ? String(int(0, 999999999)) : "");
  const feeAmount = String(int(1, 100000));
  const gas = int(50000, 2000000);
  const accountNumber = rnd() < 0.1 ? 0 : int(0, 2 ** 31);
  const sequence = rnd() < 0.2 ? 0 : int(0, 100000);
  const chainId = pick(["testchain-1", "simd-testing", "secret-4", "snp-devnet-7"]);
  const m = memo();
  const timeoutHeight = rnd() < 0.5 ? 0 : int(1, 10000000);

  const args = ["tx", "send", "--offline", "--mnemonic-file", mfile, "--prefix", prefix, "--to", to,
    "--amount", amount + denom, "--chain-id", chainId, "--account-number", String(accountNumber),
    "--sequence", String(sequence), "--gas", String(gas), "--fees", feeAmount + denom, "--memo", m,
    "--timeout-height", String(timeoutHeight), "--output", "json"];
  const ours = JSON.parse(execFileSync(bin, args, { encoding: "utf8" }));

  const client = await SigningStargateClient.offline(wallet);
  const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: address, toAddress: to, amount: [{ denom, amount }] } };
  const fee = { amount: [{ denom, amount: feeAmount }], gas: String(gas) };
  const txRaw = await client.sign(address, [msg], fee, m, { accountNumber, sequence, chainId },
    timeoutHeight ? BigInt(timeoutHeight) : undefined);
  const theirs = TxRaw.encode(txRaw).finish();
  const theirHash = toHex(sha256(theirs)).toUpperCase();
  const ok = ours.from === address && ours.tx_raw === toHex(theirs) && ours.txhash === theirHash;
  if (!ok) {
    failures++;
    console.log(`FAIL send #${i}: ${JSON.stringify({ prefix, chainId, accountNumber, sequence, gas, amount, m, timeoutHeight })}`);
    console.log(`  ours   ${ours.tx_raw}\n  cosmjs ${toHex(theirs)}`);
  }
}

async function attestationCase(i) {
  const mnemonic = Bip39.encode(bytes(32)).toString();
  const mfile = path.join(tmp, `a${i}.txt`);
  fs.writeFileSync(mfile, mnemonic, { mode: 0o600 });
  const chainId = "snp-devnet-1";
  const accountNumber = int(1, 1000);
  const sequence = int(0, 1000);
  const out = JSON.parse(execFileSync(tool, [mfile, chainId, String(accountNumber), String(sequence), String(int(1, 99999))],
    { encoding: "utf8" }));
  const decoded = decodeTxRaw(fromHex(out.tx_raw));
  const any = decoded.body.messages[0];
  const pub = PubKey.decode(decoded.authInfo.signerInfos[0].publicKey.value).key;
  const signDoc = makeSignDoc(decoded.authInfo && TxRaw.decode(fromHex(out.tx_raw)).bodyBytes,
    TxRaw.decode(fromHex(out.tx_raw)).authInfoBytes, chainId, accountNumber);
  const signBytes = makeSignBytes(signDoc);
  const sig = Secp256k1Signature.fromFixedLength(decoded.signatures[0]);
  const valid = await Secp256k1.verifySignature(sig, sha256(signBytes), pub);
  const ok = valid && any.typeUrl === "/snpattest.v1.MsgSubmitAttestation" && toHex(any.value) === out.msg_value &&
    toHex(pub) === out.pubkey && toHex(signBytes) === out.sign_bytes &&
    Number(decoded.authInfo.signerInfos[0].sequence) === sequence && decoded.body.memo === "snprelay attestation";
  // A flipped body byte must break verification.
  const tampered = fromHex(out.sign_bytes);
  tampered[10] ^= 1;
  const rejects = !(await Secp256k1.verifySignature(sig, sha256(tampered), pub));
  if (!ok || !rejects) {
    failures++;
    console.log(`FAIL attestation #${i}: valid=${valid} rejects_tampered=${rejects}`);
  }
}

(async () => {
  for (let i = 0; i < iterations; i++) await sendCase(i);
  for (let i = 0; i < 5; i++) await attestationCase(i);
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`${iterations} MsgSend cases + 5 MsgSubmitAttestation cases, ${failures} failures`);
  process.exit(failures === 0 ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
