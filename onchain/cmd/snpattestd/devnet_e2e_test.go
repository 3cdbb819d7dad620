package main

// End-to-end tests of the snpattestd binary: devnet init's output contract, a real x/gov proposal
// on a 1-validator devnet, and a 4-validator localnet that keeps committing with one node SIGKILLed.
// They build the binary once (TestMain), run real CometBFT nodes on free loopback ports and stop
// every process they start by its pid. `go test -short` skips the ones that start nodes.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/app"
	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

var binary string // built by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "snpattestd-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "snpattestd")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building snpattestd:", err)
		os.Exit(1)
	}
	app.SetSDKConfig()
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the binary and returns its standard output; a non-zero exit fails the test.
func run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runErr(args...)
	if err != nil {
		t.Fatalf("snpattestd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(args ...string) (string, error) {
	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// writeFakeSimState writes a state directory shaped like the simulated firmware's (ark.pem, ask.pem,
// product) with throw-away self-signed RSA certificates: what devnet init reads from it.
func writeFakeSimState(t *testing.T, product string) (dir string, arkDER, askDER []byte) {
	t.Helper()
	dir = t.TempDir()
	mk := func(cn string) []byte {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	arkDER, askDER = mk("ARK-"+product), mk("SEV-"+product)
	for name, der := range map[string][]byte{"ark.pem": arkDER, "ask.pem": askDER} {
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		if err := os.WriteFile(filepath.Join(dir, name), pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "product"), []byte(product+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, arkDER, askDER
}

type manifest struct {
	ChainID     string   `json:"chain_id"`
	Denom       string   `json:"denom"`
	MinGasPrice string   `json:"min_gas_price"`
	RPC         []string `json:"rpc"`
	Validators  []struct {
		Moniker, Operator, Account, Relayer string
		OperatorMnemonic                    string `json:"operator_mnemonic"`
		RelayerMnemonic                     string `json:"relayer_mnemonic"`
	} `json:"validators"`
	Accounts []struct{ Name, Address, Mnemonic string } `json:"accounts"`
	Signers  []struct {
		KeyID    string `json:"key_id"`
		Pubkey   string `json:"pubkey"`
		Mnemonic string `json:"mnemonic"`
	} `json:"signers"`
	Threshold    uint32 `json:"threshold"`
	GovAuthority string `json:"gov_authority"`
	EpochBlocks  uint64 `json:"epoch_blocks"`
}

func readManifest(t *testing.T, home string) (manifest, map[string]any) {
	t.Helper()
	bz, err := os.ReadFile(filepath.Join(home, "devnet.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	var raw map[string]any
	if err := json.Unmarshal(bz, &m); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bz, &raw); err != nil {
		t.Fatal(err)
	}
	return m, raw
}

// keyFromMnemonicFile checks the file's mode (0600) and derives its key at m/44'/118'/0'/0/0.
func keyFromMnemonicFile(t *testing.T, path string) *secp256k1.PrivKey {
	t.Helper()
	if !filepath.IsAbs(path) {
		t.Errorf("mnemonic path %q is not absolute", path)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %o, want 0600", path, st.Mode().Perm())
	}
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Fields(string(bz))
	if len(words) != 24 {
		t.Fatalf("%s: %d words, want a 24-word mnemonic", path, len(words))
	}
	derived, err := hd.Secp256k1.Derive()(strings.Join(words, " "), "", "m/44'/118'/0'/0/0")
	if err != nil {
		t.Fatal(err)
	}
	return hd.Secp256k1.Generate()(derived).(*secp256k1.PrivKey)
}

func TestDevnetInitWritesTheContract(t *testing.T) {
	simDir, arkDER, askDER := writeFakeSimState(t, "Genoa")
	home := filepath.Join(t.TempDir(), "devnet")
	run(t, "devnet", "init", "--home", home, "--chain-id", "snptest-7", "--validators", "2",
		"--sim-state", simDir, "--epoch-blocks", "12", "--voting-period", "8s")

	m, raw := readManifest(t, home)
	wantKeys := []string{"chain_id", "denom", "min_gas_price", "rpc", "validators", "accounts", "signers",
		"threshold", "gov_authority", "epoch_blocks"}
	if len(raw) != len(wantKeys) {
		t.Errorf("devnet.json has %d keys, want exactly %v", len(raw), wantKeys)
	}
	for _, k := range wantKeys {
		if _, ok := raw[k]; !ok {
			t.Errorf("devnet.json lacks %q", k)
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"chain_id", m.ChainID, "snptest-7"},
		{"denom", m.Denom, "stake"},
		{"min_gas_price", m.MinGasPrice, "0.025"},
		{"rpc count", len(m.RPC), 2},
		{"validators", len(m.Validators), 2},
		{"signers", len(m.Signers), 3},
		{"threshold", m.Threshold, uint32(2)},
		{"gov_authority", m.GovAuthority, "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"},
		{"epoch_blocks", m.EpochBlocks, uint64(12)},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, u := range m.RPC {
		if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(u) {
			t.Errorf("rpc %q is not a loopback URL", u)
		}
	}
	st, err := os.Stat(filepath.Join(home, "keys"))
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("keys dir: %v mode %v, want 0700", err, st.Mode().Perm())
	}

	// Every address in the manifest is the one its mnemonic file derives on the standard HD path.
	for _, v := range m.Validators {
		op := sdk.AccAddress(keyFromMnemonicFile(t, v.OperatorMnemonic).PubKey().Address())
		if op.String() != v.Account || sdk.ValAddress(op).String() != v.Operator {
			t.Errorf("%s: operator %s / account %s, the mnemonic derives %s / %s", v.Moniker, v.Operator, v.Account,
				sdk.ValAddress(op), op)
		}
		rel := sdk.AccAddress(keyFromMnemonicFile(t, v.RelayerMnemonic).PubKey().Address())
		if rel.String() != v.Relayer {
			t.Errorf("%s: relayer %s, the mnemonic derives %s", v.Moniker, v.Relayer, rel)
		}
	}
	for _, a := range m.Accounts {
		if got := sdk.AccAddress(keyFromMnemonicFile(t, a.Mnemonic).PubKey().Address()).String(); got != a.Address {
			t.Errorf("account %s: %s, the mnemonic derives %s", a.Name, a.Address, got)
		}
	}
	signerPubs := map[string]*secp256k1.PubKey{}
	for _, s := range m.Signers {
		pub := keyFromMnemonicFile(t, s.Mnemonic).PubKey().(*secp256k1.PubKey)
		if hex.EncodeToString(pub.Bytes()) != s.Pubkey {
			t.Errorf("signer %s: pubkey %s, the mnemonic derives %x", s.KeyID, s.Pubkey, pub.Bytes())
		}
		signerPubs[s.KeyID] = pub
	}

	// Both node homes hold the same genesis, and it validates with the binary itself.
	g0, err := os.ReadFile(filepath.Join(home, "node0", "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	g1, err := os.ReadFile(filepath.Join(home, "node1", "config", "genesis.json"))
	if err != nil || !bytes.Equal(g0, g1) {
		t.Errorf("node1's genesis differs from node0's (%v)", err)
	}
	run(t, "genesis", "validate", "--home", filepath.Join(home, "node0"))

	var genesis struct {
		ChainID  string `json:"chain_id"`
		AppState struct {
			Gov struct {
				Params struct {
					VotingPeriod          string `json:"voting_period"`
					ExpeditedVotingPeriod string `json:"expedited_voting_period"`
				} `json:"params"`
			} `json:"gov"`
			Genutil struct {
				GenTxs []json.RawMessage `json:"gen_txs"`
			} `json:"genutil"`
			Snpattest json.RawMessage `json:"snpattest"`
		} `json:"app_state"`
	}
	if err := json.Unmarshal(g0, &genesis); err != nil {
		t.Fatal(err)
	}
	if genesis.ChainID != "snptest-7" || len(genesis.AppState.Genutil.GenTxs) != 2 {
		t.Errorf("genesis chain_id %q with %d gentxs, want snptest-7 and 2", genesis.ChainID, len(genesis.AppState.Genutil.GenTxs))
	}
	if genesis.AppState.Gov.Params.VotingPeriod != "8s" || genesis.AppState.Gov.Params.ExpeditedVotingPeriod != "4s" {
		t.Errorf("gov voting periods %+v, want 8s and 4s", genesis.AppState.Gov.Params)
	}

	// x/snpattest: params, signer set, and the first allowlist update signed by 2 of the 3 signers.
	var snp snptypes.GenesisState
	enc := app.MakeEncodingConfig()
	if err := enc.Codec.UnmarshalJSON(genesis.AppState.Snpattest, &snp); err != nil {
		t.Fatal(err)
	}
	p := snp.Params
	if p.EpochBlocks != 12 || p.SubmitWindowBlocks == 0 || p.SubmitWindowBlocks >= 12 || p.AllowDebug {
		t.Errorf("params epoch_blocks %d submit_window %d allow_debug %v", p.EpochBlocks, p.SubmitWindowBlocks, p.AllowDebug)
	}
	if len(p.SimulatedRoots) != 2 || !bytes.Equal(p.SimulatedRoots[0], arkDER) || !bytes.Equal(p.SimulatedRoots[1], askDER) {
		t.Errorf("simulated_roots are not [DER ark.pem, DER ask.pem]")
	}
	if snp.Threshold != 2 || len(snp.Signers) != 3 {
		t.Fatalf("signer set: %d keys threshold %d", len(snp.Signers), snp.Threshold)
	}
	for _, s := range snp.Signers {
		if pub := signerPubs[s.KeyId]; pub == nil || !bytes.Equal(pub.Bytes(), s.Pubkey) {
			t.Errorf("genesis signer %s does not match devnet.json", s.KeyId)
		}
	}
	var upd snptypes.AllowlistUpdate
	if err := upd.Unmarshal(snp.AllowlistUpdateBytes); err != nil {
		t.Fatal(err)
	}
	wantMeasurement := sha512.Sum384([]byte("snprelay simulated guest"))
	if upd.ChainId != "snptest-7" || upd.Version != 1 || !bytes.Equal(upd.PrevHash, make([]byte, 32)) ||
		len(upd.Add) != 1 || !bytes.Equal(upd.Add[0].Measurement, wantMeasurement[:]) || upd.Add[0].Label != "sim-Genoa" {
		t.Errorf("first allowlist update: %+v", upd)
	}
	if len(snp.AllowlistSignatures) != 2 {
		t.Fatalf("%d allowlist signatures, want 2", len(snp.AllowlistSignatures))
	}
	signed := append([]byte("snprelay/allowlist/v1"), snp.AllowlistUpdateBytes...)
	for _, sig := range snp.AllowlistSignatures {
		pub := signerPubs[sig.KeyId]
		// secp256k1.PubKey.VerifySignature hashes with SHA-256 and rejects high-S: exactly the rule.
		if pub == nil || len(sig.Signature) != 64 || !pub.VerifySignature(signed, sig.Signature) {
			t.Errorf("allowlist signature of %s does not verify as 64-byte low-S over the tagged digest", sig.KeyId)
		}
	}

	// config.toml: loopback only, block time, kv index, a persistent peer per other node.
	cfg, err := os.ReadFile(filepath.Join(home, "node1", "config", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`timeout_commit = "500ms"`, `indexer = "kv"`, `allow_duplicate_ip = true`,
		`addr_book_strict = false`, `pprof_laddr = ""`} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("node1 config.toml lacks %s", want)
		}
	}
	for _, line := range strings.Split(string(cfg), "\n") {
		if strings.Contains(line, "laddr = \"tcp://") && !strings.Contains(line, "tcp://127.0.0.1:") {
			t.Errorf("node1 config.toml listens beyond loopback: %s", line)
		}
		if strings.HasPrefix(line, "persistent_peers = ") && strings.Count(line, "@127.0.0.1:") != 1 {
			t.Errorf("node1 persistent_peers: %s", line)
		}
	}
	appToml, err := os.ReadFile(filepath.Join(home, "node0", "config", "app.toml"))
	if err != nil || !strings.Contains(string(appToml), `minimum-gas-prices = "0.025stake"`) {
		t.Errorf("app.toml minimum-gas-prices is not 0.025stake (%v)", err)
	}
}

func TestDevnetInitRefusals(t *testing.T) {
	emptySim := t.TempDir()
	used := t.TempDir()
	if err := os.WriteFile(filepath.Join(used, "something"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"sim state without ark.pem names the command that makes it",
			[]string{"--home", filepath.Join(t.TempDir(), "d"), "--sim-state", emptySim}, "snprelay report get --simulate --sim-state"},
		{"non-empty home", []string{"--home", used}, "not empty"},
		{"no validators", []string{"--home", filepath.Join(t.TempDir(), "d"), "--validators", "0"}, "--validators"},
		{"window longer than epoch", []string{"--home", filepath.Join(t.TempDir(), "d"), "--epoch-blocks", "5",
			"--submit-window-blocks", "6"}, "--submit-window-blocks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runErr(append([]string{"devnet", "init"}, tc.args...)...)
			if err == nil {
				t.Fatalf("devnet init succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("error %q does not mention %q", out, tc.want)
			}
		})
	}
}

// devnet is a running `devnet start`.
type devnet struct {
	cmd     *exec.Cmd
	lines   chan string
	pids    map[string]int // moniker -> pid
	done    chan error
	stopped bool
}

// startDevnet runs `devnet start --home home` and waits for "ready". Cleanup stops it (SIGTERM) and
// checks that every node process is gone.
func startDevnet(t *testing.T, home string) *devnet {
	t.Helper()
	cmd := exec.Command(binary, "devnet", "start", "--home", home)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &devnet{cmd: cmd, lines: make(chan string, 100), pids: map[string]int{}, done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		close(d.lines)
	}()
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(func() { d.stop(t) })

	nodeLine := regexp.MustCompile(`^(node\d+) rpc \S+ pid (\d+) `)
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-d.lines:
			if !ok {
				t.Fatal("devnet start ended before ready")
			}
			t.Log("devnet start: " + line)
			if m := nodeLine.FindStringSubmatch(line); m != nil {
				d.pids[m[1]], _ = strconv.Atoi(m[2])
			}
			if line == "ready" {
				return d
			}
		case <-timeout:
			t.Fatal("devnet not ready after 2 minutes")
		}
	}
}

// stop sends SIGTERM to devnet start, expects a clean exit and no node process left.
func (d *devnet) stop(t *testing.T) {
	if d.stopped {
		return
	}
	d.stopped = true
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("devnet start exited with %v after SIGTERM", err)
		}
	case <-time.After(40 * time.Second):
		_ = d.cmd.Process.Kill()
		t.Errorf("devnet start did not stop within 40s of SIGTERM")
	}
	for name, pid := range d.pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) still exists after devnet start returned", name, pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func height(rpcURL string) (int64, error) {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(rpcURL + "/status")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var st struct {
		Result struct {
			SyncInfo struct {
				LatestBlockHeight string `json:"latest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return 0, err
	}
	return strconv.ParseInt(st.Result.SyncInfo.LatestBlockHeight, 10, 64)
}

// waitHeight waits until rpcURL reports a height >= h.
func waitHeight(t *testing.T, rpcURL string, h int64, within time.Duration) int64 {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, err := height(rpcURL)
		if err == nil && got >= h {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: height %d (%v), want >= %d within %v", rpcURL, got, err, h, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// broadcast runs a tx command (sync mode), then waits for the tx to be committed with code 0.
func broadcast(t *testing.T, home string, args ...string) {
	t.Helper()
	out := run(t, append(args, "--home", home, "--keyring-backend", "test", "--gas", "400000",
		"--gas-prices", "0.025stake", "-y", "-o", "json")...)
	var res struct {
		TxHash string `json:"txhash"`
		Code   uint32 `json:"code"`
		RawLog string `json:"raw_log"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("tx output %q: %v", out, err)
	}
	if res.Code != 0 {
		t.Fatalf("CheckTx refused %v: code %d %s", args, res.Code, res.RawLog)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := runErr("query", "tx", res.TxHash, "--home", home, "-o", "json")
		if err == nil {
			var tx struct {
				Code   uint32 `json:"code"`
				RawLog string `json:"raw_log"`
			}
			if err := json.Unmarshal([]byte(out), &tx); err != nil {
				t.Fatal(err)
			}
			if tx.Code != 0 {
				t.Fatalf("tx %v failed in the block: code %d %s", args, tx.Code, tx.RawLog)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tx %s not committed within 30s: %s", res.TxHash, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// writeProposal writes a gov proposal file carrying one message.
func writeProposal(t *testing.T, dir, name string, msg map[string]any) string {
	t.Helper()
	bz, err := json.Marshal(map[string]any{
		"messages": []any{msg}, "deposit": "1000stake", "title": name, "summary": "devnet e2e test: " + name,
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".json")
	if err := os.WriteFile(path, bz, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDevnetGovernanceProposalsChangeSnpattest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a CometBFT node")
	}
	home := filepath.Join(t.TempDir(), "devnet")
	run(t, "devnet", "init", "--home", home, "--voting-period", "5s", "--block-time", "300ms")
	m, _ := readManifest(t, home)
	d := startDevnet(t, home)
	node0 := filepath.Join(home, "node0")
	waitHeight(t, m.RPC[0], 2, 30*time.Second)

	// Params before: the default validity_epochs.
	var before struct {
		Params map[string]any `json:"params"`
	}
	if err := json.Unmarshal([]byte(run(t, "query", "snpattest", "params", "--home", node0, "-o", "json")), &before); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(before.Params["validity_epochs"]) != "2" {
		t.Fatalf("validity_epochs before the proposal = %v, want the default 2", before.Params["validity_epochs"])
	}
	newParams := before.Params
	newParams["validity_epochs"] = 7
	dir := t.TempDir()
	paramsProp := writeProposal(t, dir, "params", map[string]any{
		"@type": "/snpattest.v1.MsgUpdateParams", "authority": m.GovAuthority, "params": newParams,
	})

	// A new signer set: two fresh keys, threshold 1.
	var newSigners []map[string]any
	for i := 0; i < 2; i++ {
		pub := secp256k1.GenPrivKey().PubKey().Bytes()
		newSigners = append(newSigners, map[string]any{"key_id": fmt.Sprintf("new%d", i), "pubkey": base64.StdEncoding.EncodeToString(pub)})
	}
	signersProp := writeProposal(t, dir, "signers", map[string]any{
		"@type": "/snpattest.v1.MsgSetAllowlistSigners", "authority": m.GovAuthority, "signers": newSigners, "threshold": 1,
	})

	broadcast(t, node0, "tx", "gov", "submit-proposal", paramsProp, "--from", "val0")
	broadcast(t, node0, "tx", "gov", "submit-proposal", signersProp, "--from", "val0")
	broadcast(t, node0, "tx", "gov", "vote", "1", "yes", "--from", "val0")
	broadcast(t, node0, "tx", "gov", "vote", "2", "yes", "--from", "val0")

	// Wait out the 5 s voting period; both proposals must pass and execute.
	deadline := time.Now().Add(40 * time.Second)
	for id := 1; id <= 2; id++ {
		for {
			var p struct {
				Proposal struct {
					Status       string `json:"status"`
					FailedReason string `json:"failed_reason"`
				} `json:"proposal"`
			}
			if err := json.Unmarshal([]byte(run(t, "query", "gov", "proposal", strconv.Itoa(id), "--home", node0, "-o", "json")), &p); err != nil {
				t.Fatal(err)
			}
			if p.Proposal.Status == "PROPOSAL_STATUS_PASSED" {
				break
			}
			if p.Proposal.Status == "PROPOSAL_STATUS_FAILED" || p.Proposal.Status == "PROPOSAL_STATUS_REJECTED" {
				t.Fatalf("proposal %d: %s %s", id, p.Proposal.Status, p.Proposal.FailedReason)
			}
			if time.Now().After(deadline) {
				t.Fatalf("proposal %d still %s", id, p.Proposal.Status)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}

	var after struct {
		Params map[string]any `json:"params"`
	}
	if err := json.Unmarshal([]byte(run(t, "query", "snpattest", "params", "--home", node0, "-o", "json")), &after); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(after.Params["validity_epochs"]) != "7" {
		t.Errorf("validity_epochs after the proposal = %v, want 7", after.Params["validity_epochs"])
	}
	var signers struct {
		Signers []struct {
			KeyID  string `json:"key_id"`
			Pubkey string `json:"pubkey"`
		} `json:"signers"`
		Threshold  uint32 `json:"threshold"`
		SetVersion string `json:"set_version"`
	}
	if err := json.Unmarshal([]byte(run(t, "query", "snpattest", "signers", "--home", node0, "-o", "json")), &signers); err != nil {
		t.Fatal(err)
	}
	if len(signers.Signers) != 2 || signers.Signers[0].KeyID != "new0" || signers.Threshold != 1 || signers.SetVersion != "1" {
		t.Errorf("signer set after the proposal: %+v", signers)
	}

	// The relayer account is funded at genesis (it pays for its attestation transactions).
	var bal struct {
		Balance struct{ Amount string } `json:"balance"`
	}
	if err := json.Unmarshal([]byte(run(t, "query", "bank", "balance", m.Validators[0].Relayer, "stake", "--home", node0, "-o", "json")), &bal); err != nil {
		t.Fatal(err)
	}
	if bal.Balance.Amount != "1000000000000" {
		t.Errorf("relayer0 balance %q stake, want 1000000000000", bal.Balance.Amount)
	}

	// After the nodes stop, `export` writes the changed state as a genesis app_state.
	d.stop(t)
	var exported struct {
		AppState struct {
			Snpattest json.RawMessage `json:"snpattest"`
		} `json:"app_state"`
	}
	if err := json.Unmarshal([]byte(run(t, "export", "--home", node0)), &exported); err != nil {
		t.Fatal(err)
	}
	var snp snptypes.GenesisState
	if err := app.MakeEncodingConfig().Codec.UnmarshalJSON(exported.AppState.Snpattest, &snp); err != nil {
		t.Fatal(err)
	}
	if snp.Params.ValidityEpochs != 7 || snp.Threshold != 1 || len(snp.Signers) != 2 || snp.SignerSetVersion != 1 {
		t.Errorf("exported snpattest state: validity_epochs %d threshold %d signers %d set_version %d",
			snp.Params.ValidityEpochs, snp.Threshold, len(snp.Signers), snp.SignerSetVersion)
	}
}

func TestLocalnetKeepsCommittingWithOneNodeKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four CometBFT nodes")
	}
	home := filepath.Join(t.TempDir(), "localnet")
	run(t, "devnet", "init", "--home", home, "--validators", "4", "--block-time", "300ms")
	m, _ := readManifest(t, home)
	d := startDevnet(t, home)
	if len(d.pids) != 4 {
		t.Fatalf("devnet start reported %d node pids, want 4", len(d.pids))
	}

	// Every node follows the chain.
	for _, u := range m.RPC {
		waitHeight(t, u, 3, 60*time.Second)
	}

	// SIGKILL node3: three of four equal validators (75% > 2/3) keep committing.
	if err := syscall.Kill(d.pids["node3"], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	seen := false
	deadline := time.After(10 * time.Second)
	for !seen {
		select {
		case line := <-d.lines:
			seen = strings.HasPrefix(line, "node3 ")
		case <-deadline:
			t.Fatal("devnet start did not report node3's exit")
		}
	}
	h, err := height(m.RPC[0])
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, m.RPC[0], h+5, 60*time.Second)
	waitHeight(t, m.RPC[1], h+5, 30*time.Second)
	if _, err := height(m.RPC[3]); err == nil {
		t.Errorf("node3's RPC still answers after SIGKILL")
	}
	d.stop(t)
}

// With the project's own simulated firmware (build/bin/snprelay, when it has been built), devnet init
// takes the real state directory: RSA-4096 RSASSA-PSS ARK/ASK and the product it was minted for.
func TestDevnetInitWithTheSimulatedFirmwareState(t *testing.T) {
	snprelay, err := filepath.Abs("../../../build/bin/snprelay")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(snprelay); err != nil {
		t.Skip("build/bin/snprelay not built (scripts/build.sh)")
	}
	simDir := filepath.Join(t.TempDir(), "sim")
	out, err := exec.Command(snprelay, "report", "get", "--simulate", "--sim-state", simDir,
		"-o", filepath.Join(simDir, "report.bin")).CombinedOutput()
	if err != nil {
		t.Fatalf("snprelay report get: %v\n%s", err, out)
	}
	product, err := os.ReadFile(filepath.Join(simDir, "product"))
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "devnet")
	run(t, "devnet", "init", "--home", home, "--sim-state", simDir)
	run(t, "genesis", "validate", "--home", filepath.Join(home, "node0"))
	g, err := os.ReadFile(filepath.Join(home, "node0", "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var genesis struct {
		AppState struct {
			Snpattest json.RawMessage `json:"snpattest"`
		} `json:"app_state"`
	}
	if err := json.Unmarshal(g, &genesis); err != nil {
		t.Fatal(err)
	}
	var snp snptypes.GenesisState
	if err := app.MakeEncodingConfig().Codec.UnmarshalJSON(genesis.AppState.Snpattest, &snp); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"ark.pem", "ask.pem"} {
		bz, err := os.ReadFile(filepath.Join(simDir, name))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(bz)
		if block == nil || len(snp.Params.SimulatedRoots) != 2 || !bytes.Equal(snp.Params.SimulatedRoots[i], block.Bytes) {
			t.Errorf("simulated_roots[%d] is not the DER of %s", i, name)
		}
	}
	var upd snptypes.AllowlistUpdate
	if err := upd.Unmarshal(snp.AllowlistUpdateBytes); err != nil {
		t.Fatal(err)
	}
	if want := "sim-" + strings.TrimSpace(string(product)); len(upd.Add) != 1 || upd.Add[0].Label != want {
		t.Errorf("allowlist entry %+v, want one labelled %s", upd.Add, want)
	}
}
