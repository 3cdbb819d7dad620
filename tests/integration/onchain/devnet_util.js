// Shared by the issue 23 CosmJS/HTTP devnet tests: a temporary directory, child processes stopped by PID
// on every exit path, plain HTTP GET, a devnet from `snpattestd devnet init/start` (simulated firmware
// state from `snprelay report get --simulate`) and relayers from `snprelay init --devnet` + `start`.
"use strict";
const { execFileSync, spawn } = require("child_process");
const fs = require("fs");
const http = require("http");
const os = require("os");
const path = require("path");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// get resolves {code, body} of a GET.
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ code: res.statusCode, body }));
    }).on("error", reject);
  });
}

// getJSON resolves the JSON of a 200 answer and rejects any other.
async function getJSON(url) {
  const r = await get(url);
  if (r.code !== 200) throw new Error(`${url}: ${r.code} ${r.body}`);
  return JSON.parse(r.body);
}

class Run {
  constructor(prefix, snpattestd, snprelay) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.snpattestd = snpattestd;
    this.snprelay = snprelay;
    this.children = [];
    this.env = { ...process.env, SNPRELAY_KEY_PASSPHRASE: "issue23-test-passphrase" };
    for (const sig of ["SIGTERM", "SIGINT"]) {
      process.on(sig, () => {
        for (const c of this.children) if (c.exitCode === null) c.kill("SIGKILL");
        process.exit(1);
      });
    }
  }

  // devnet inits and starts a devnet with initArgs; resolves devnet.json once node0 is "ready".
  async devnet(initArgs) {
    const sim = path.join(this.dir, "sim");
    this.home = path.join(this.dir, "home");
    execFileSync(this.snprelay, ["report", "get", "--simulate", "--sim-state", sim, "--report-data", "00", "-o",
      path.join(this.dir, "first.report")], { stdio: ["ignore", "ignore", "inherit"] });
    execFileSync(this.snpattestd, ["devnet", "init", "--home", this.home, "--sim-state", sim, ...initArgs], { stdio: "inherit" });
    this.manifest = path.join(this.home, "devnet.json");
    const info = JSON.parse(fs.readFileSync(this.manifest, "utf8"));
    const logPath = path.join(this.home, "devnet.log");
    const chain = spawn(this.snpattestd, ["devnet", "start", "--home", this.home],
      { stdio: ["ignore", fs.openSync(logPath, "w"), fs.openSync(logPath, "a")] });
    this.children.push(chain);
    for (const until = Date.now() + 90000; ;) {
      if (chain.exitCode !== null) throw new Error("devnet start exited:\n" + fs.readFileSync(logPath, "utf8").slice(-3000));
      if (/^ready/m.test(fs.readFileSync(logPath, "utf8"))) return info;
      if (Date.now() > until) throw new Error("devnet not ready in 90 s");
      await sleep(200);
    }
  }

  // relayer sets up (once) and starts validator i's relayer.
  relayer(i) {
    const home = path.join(this.dir, `relayer${i}`);
    if (!fs.existsSync(path.join(home, "snprelay.toml"))) {
      execFileSync(this.snprelay, ["init", "--devnet", this.manifest, "--validator", String(i), "--home", home,
        "--api-listen", "127.0.0.1:0"], { stdio: ["ignore", "ignore", "inherit"], env: this.env });
    }
    const log = path.join(this.dir, `relayer${i}.log`);
    const c = spawn(this.snprelay, ["start", "--config", path.join(home, "snprelay.toml")],
      { stdio: ["ignore", fs.openSync(log, "a"), fs.openSync(log, "a")], env: this.env });
    this.children.push(c);
    return c;
  }

  // finish runs main, stops every child (SIGTERM, then SIGKILL after 10 s), keeps the directory of a
  // failed run, prints NAME: PASS|FAIL and exits accordingly.
  finish(name, main) {
    let passed = false;
    main()
      .then(() => { passed = true; })
      .catch((e) => console.error(e && e.stack ? e.stack : e))
      .finally(async () => {
        for (const c of this.children.reverse()) {
          if (c.exitCode === null) {
            c.kill("SIGTERM");
            for (let i = 0; i < 100 && c.exitCode === null; i++) await sleep(100);
            if (c.exitCode === null) c.kill("SIGKILL");
          }
        }
        if (passed) fs.rmSync(this.dir, { recursive: true, force: true });
        console.log(passed ? `${name}: PASS` : `${name}: FAIL (kept ${this.dir})`);
        process.exit(passed ? 0 : 1);
      });
  }
}

module.exports = { sleep, get, getJSON, Run };
