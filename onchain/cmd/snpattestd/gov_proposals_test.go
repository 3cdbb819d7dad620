package main

// A real x/gov proposal on a 1-validator devnet changes the snpattest params and signer set.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	"github.com/snprelay/snprelay/onchain/app"
	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

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
