package main

// The harness of the end-to-end tests of the snpattestd binary: TestMain builds the binary once;
// helpers run its commands, write a fake simulated-firmware state, read devnet.json, start and stop
// real CometBFT nodes on free loopback ports (every process stopped by its pid), wait for heights and
// broadcast txs. `go test -short` skips the tests that start nodes.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
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

	"github.com/snprelay/snprelay/onchain/app"
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
	// A root pair the verifier can build (types.ParseSimulatedRoots): a self-signed ARK-<product>
	// and a CA SEV-<product> signed by it.
	arkKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	askKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := func(serial int64, cn string) *x509.Certificate {
		return &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true,
		}
	}
	arkTmpl := tmpl(1, "ARK-"+product)
	arkDER, err = x509.CreateCertificate(rand.Reader, arkTmpl, arkTmpl, &arkKey.PublicKey, arkKey)
	if err != nil {
		t.Fatal(err)
	}
	arkCert, err := x509.ParseCertificate(arkDER)
	if err != nil {
		t.Fatal(err)
	}
	askDER, err = x509.CreateCertificate(rand.Reader, tmpl(2, "SEV-"+product), arkCert, &askKey.PublicKey, arkKey)
	if err != nil {
		t.Fatal(err)
	}
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
	REST        []string `json:"rest"`
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
	SimState     string `json:"sim_state"`
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
