package main

// devnet init's output contract (DIR/devnet.json, genesis, keys) and its refusals.

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/app"
	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

func TestDevnetInitWritesTheContract(t *testing.T) {
	simDir, arkDER, askDER := writeFakeSimState(t, "Genoa")
	home := filepath.Join(t.TempDir(), "devnet")
	run(t, "devnet", "init", "--home", home, "--chain-id", "snptest-7", "--validators", "2",
		"--sim-state", simDir, "--epoch-blocks", "12", "--voting-period", "8s")

	m, raw := readManifest(t, home)
	wantKeys := []string{"chain_id", "denom", "min_gas_price", "rpc", "rest", "validators", "accounts", "signers",
		"threshold", "gov_authority", "epoch_blocks", "sim_state"}
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
		{"rest count", len(m.REST), 2},
		{"validators", len(m.Validators), 2},
		{"signers", len(m.Signers), 3},
		{"threshold", m.Threshold, uint32(2)},
		{"gov_authority", m.GovAuthority, "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"},
		{"epoch_blocks", m.EpochBlocks, uint64(12)},
		{"sim_state", m.SimState, simDir},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, u := range append(append([]string{}, m.RPC...), m.REST...) {
		if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(u) {
			t.Errorf("rpc/rest %q is not a loopback URL", u)
		}
	}
	if m.REST[0] == m.RPC[0] || m.REST[0] == m.REST[1] {
		t.Errorf("rest %v shares a port with rpc %v or another node", m.REST, m.RPC)
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
		ChainID   string `json:"chain_id"`
		Consensus struct {
			Params struct {
				Block struct {
					MaxGas string `json:"max_gas"`
				} `json:"block"`
			} `json:"params"`
		} `json:"consensus"`
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
	// Bounded block (issue 20): max_gas set, not CometBFT's -1.
	if genesis.Consensus.Params.Block.MaxGas != fmt.Sprint(app.BlockMaxGas) {
		t.Errorf("consensus block.max_gas %q, want %d", genesis.Consensus.Params.Block.MaxGas, app.BlockMaxGas)
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
	// Both validators share the one simulated chip today: max_operators_per_chip defaults to 2 here.
	if p.MaxOperatorsPerChip != 2 {
		t.Errorf("max_operators_per_chip %d, want the number of validators (2)", p.MaxOperatorsPerChip)
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
	snp := readSnpattestGenesis(t, home)
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

// The reference app's own init writes a bounded block too (issue 20: consensus max_gas was -1).
func TestInitSetsBlockMaxGas(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "node", "--home", home, "--chain-id", "init-gas-1")
	raw, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Consensus struct {
			Params struct {
				Block struct {
					MaxGas string `json:"max_gas"`
				} `json:"block"`
			} `json:"params"`
		} `json:"consensus"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if g.Consensus.Params.Block.MaxGas != fmt.Sprint(app.BlockMaxGas) {
		t.Fatalf("init wrote max_gas %q, want %d", g.Consensus.Params.Block.MaxGas, app.BlockMaxGas)
	}
}

// A simulated firmware launched with an image (`snprelay sim launch --image`, which writes
// SIMDIR/launched_image) gives the devnet its first allowlist from that image's computed measurement
// (issue 25); a malformed file is refused naming it, never replaced by the default measurement.
func TestDevnetInitTakesTheLaunchedImage(t *testing.T) {
	simDir, _, _ := writeFakeSimState(t, "Milan")
	measurement := bytes.Repeat([]byte{0xab}, 48)
	if err := os.WriteFile(filepath.Join(simDir, "launched_image"),
		[]byte(hex.EncodeToString(measurement)+"\nvalidator-image-1.2 ovmf=00ff\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "devnet")
	run(t, "devnet", "init", "--home", home, "--sim-state", simDir)
	snp := readSnpattestGenesis(t, home)
	var upd snptypes.AllowlistUpdate
	if err := upd.Unmarshal(snp.AllowlistUpdateBytes); err != nil {
		t.Fatal(err)
	}
	if len(upd.Add) != 1 || !bytes.Equal(upd.Add[0].Measurement, measurement) ||
		upd.Add[0].Label != "validator-image-1.2 ovmf=00ff" {
		t.Errorf("first allowlist %+v, want only the launched image's measurement and label", upd.Add)
	}

	for name, content := range map[string]string{
		"short measurement": "abcd\nlabel\n",
		"no label":          hex.EncodeToString(measurement) + "\n",
		"not hex":           strings.Repeat("zz", 48) + "\nlabel\n",
	} {
		t.Run(name, func(t *testing.T) {
			bad, _, _ := writeFakeSimState(t, "Milan")
			if err := os.WriteFile(filepath.Join(bad, "launched_image"), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := runErr("devnet", "init", "--home", filepath.Join(t.TempDir(), "d"), "--sim-state", bad)
			if err == nil || !strings.Contains(out, "launched_image") {
				t.Errorf("devnet init with a %s launched_image: err %v, output %q; want a refusal naming the file",
					name, err, out)
			}
		})
	}
}

// readSnpattestGenesis is x/snpattest's part of node0's genesis in a devnet home.
func readSnpattestGenesis(t *testing.T, home string) snptypes.GenesisState {
	t.Helper()
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
	return snp
}
