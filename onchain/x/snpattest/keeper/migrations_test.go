package keeper_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"cosmossdk.io/collections"

	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// loadV1State writes testdata/v1_state.json (a store written by the ConsensusVersion 1 keeper) into
// an empty store.
func loadV1State(t *testing.T) *fixture {
	raw, err := os.ReadFile("testdata/v1_state.json")
	if err != nil {
		t.Fatal(err)
	}
	var v1 struct {
		Height int64 `json:"height"`
		Pairs  []struct{ Key, Value string }
	}
	if err := json.Unmarshal(raw, &v1); err != nil {
		t.Fatal(err)
	}
	f := newFixtureNoInit(t)
	st := f.ctx.KVStore(f.key)
	for _, p := range v1.Pairs {
		k, err1 := hex.DecodeString(p.Key)
		v, err2 := hex.DecodeString(p.Value)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		st.Set(k, v)
	}
	f.ctx = f.ctx.WithBlockHeight(v1.Height)
	return f
}

// Issue 20, address aliases: the v1 state holds operator1 twice (canonical and all-upper-case), with
// two bindings, two statuses, two epoch-1 records, and a governance revocation under the canonical
// spelling only. After Migrate1to2 there is one of each under the canonical key, the revocation
// covers it, and the index names only canonical operators.
func TestMigrate1to2MergesAliases(t *testing.T) {
	f := loadV1State(t)
	alias := strings.ToUpper(operator1)
	if has, _ := f.k.Statuses.Has(f.ctx, alias); !has {
		t.Fatal("the v1 fixture has no alias status (wrong fixture)")
	}
	if st, _ := f.k.Statuses.Get(f.ctx, alias); st.Status != types.OperatorStatus_STATUS_ATTESTED {
		t.Fatalf("v1 alias status %v: the fixture should show the alias escaping the revocation", st.Status)
	}
	if err := keeper.NewMigrator(f.k).Migrate1to2(f.ctx); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]int{
		"relayers": count(t, f, f.k.Relayers), "statuses": count(t, f, f.k.Statuses), "attestations": count(t, f, f.k.Attestations),
	} {
		if n != 2 { // operator1 and operator2
			t.Errorf("%s: %d entries after the migration, want 2", name, n)
		}
	}
	if r, _ := f.k.Relayers.Get(f.ctx, operator1); r != relayer1 {
		t.Errorf("operator1's binding %s, want the canonical key's %s", r, relayer1)
	}
	st, err := f.k.Statuses.Get(f.ctx, operator1)
	if err != nil || st.Status != types.OperatorStatus_STATUS_REVOKED {
		t.Fatalf("operator1 status %+v %v, want REVOKED", st, err)
	}
	if rec, err := f.k.Attestations.Get(f.ctx, collections.Join(operator1, uint64(1))); err != nil || rec.Relayer != relayer1 {
		t.Fatalf("operator1 epoch 1: %+v %v", rec, err)
	}
	it, err := f.k.MeasurementIndex.Iterate(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := it.Keys()
	for _, k := range keys {
		if err := types.CanonicalValAddress(k.K2()); err != nil {
			t.Errorf("index names %s: %v", k.K2(), err)
		}
	}
	if len(keys) != 2 {
		t.Errorf("index has %d entries, want 2", len(keys))
	}
	// Queries under either spelling see the one status.
	for _, op := range []string{operator1, alias} {
		r, err := f.q.OperatorStatus(f.ctx, &types.QueryOperatorStatusRequest{Operator: op})
		if err != nil || r.Status.Operator != operator1 || r.Status.Status != types.OperatorStatus_STATUS_REVOKED {
			t.Errorf("query %s: %+v %v", op, r, err)
		}
	}
	// The migrated state exports and validates as a genesis.
	gs, err := f.k.ExportGenesis(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := gs.Validate(); err != nil {
		t.Fatalf("exported migrated state: %v", err)
	}
}

func count[K, V any](t *testing.T, f *fixture, m collections.Map[K, V]) int {
	t.Helper()
	it, err := m.Iterate(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := it.Keys()
	if err != nil {
		t.Fatal(err)
	}
	return len(ks)
}
