package keeper_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// TestWriteV1State writes testdata/v1_state.json: the raw store of a ConsensusVersion 1 chain in
// which one validator holds a second relayer binding, a second status and a second record under the
// all-upper-case spelling of its operator address, and a governance revocation under the canonical
// spelling only (issue 20's alias finding). Run once with SNPATTEST_WRITE_V1_STATE=1 by the v1 keeper;
// the migration test reads the file.
func TestWriteV1State(t *testing.T) {
	if os.Getenv("SNPATTEST_WRITE_V1_STATE") != "1" {
		t.Skip("generator: set SNPATTEST_WRITE_V1_STATE=1")
	}
	f, pki := acceptFixture(t, true, nil)
	alias := strings.ToUpper(operator1)
	relAlias := strings.ToUpper(relayer2)
	if _, err := f.msg.SetRelayer(f.ctx, &types.MsgSetRelayer{Operator: alias, Relayer: relAlias}); err != nil {
		t.Fatalf("v1 refused the alias binding: %v", err)
	}
	f.runTo(11)
	for _, s := range []struct{ op, rel string }{{operator1, relayer1}, {alias, relAlias}} {
		if _, err := f.msg.SubmitAttestation(f.ctx, f.boundSubmission(pki, 1, s.op, s.rel, 1, nil)); err != nil {
			t.Fatalf("v1 refused %s: %v", s.op, err)
		}
		f.block(f.ctx.BlockHeight() + 1)
	}
	if _, err := f.msg.SubmitAttestation(f.ctx, f.boundSubmission(pki, 1, operator2, relayer2, 1, nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator1, Reason: "v1 fixture"}); err != nil {
		t.Fatal(err)
	}
	type kv struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	out := struct {
		Provenance string `json:"provenance"`
		ChainID    string `json:"chain_id"`
		Height     int64  `json:"height"`
		Pairs      []kv   `json:"pairs"`
	}{
		Provenance: "written by TestWriteV1State (onchain/x/snpattest/keeper/v1state_gen_test.go) through the ConsensusVersion 1 Msg server; operator " + alias + " is an alias of " + operator1,
		ChainID:    chainID,
		Height:     f.ctx.BlockHeight(),
	}
	it := f.ctx.KVStore(f.key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out.Pairs = append(out.Pairs, kv{hex.EncodeToString(it.Key()), hex.EncodeToString(it.Value())})
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/v1_state.json", append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
