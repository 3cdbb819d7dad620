package keeper_test

import (
	"strings"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Issue 20, simulated trust: a fresh genesis could set simulated_roots_allowed with empty roots and
// governance then add simulated roots; allow_debug could be switched on anywhere; Params.Validate
// accepted roots the verifier refused. Now only a genesis with non-empty roots allows them, debug needs
// them, and one function (types.ParseSimulatedRoots) decides for both.
func TestSimulatedTrustOnlyFromGenesis(t *testing.T) {
	pki := loadSimPKI(t)
	sim := [][]byte{pki.arkDER, pki.askDER}

	gs := types.DefaultGenesis()
	p := testParams()
	gs.Params = &p
	gs.SimulatedRootsAllowed = true
	if err := gs.Validate(); err == nil || !strings.Contains(err.Error(), "simulated_roots_allowed") {
		t.Fatalf("flag without roots: %v", err)
	}
	// Even a keeper fed the flag (InitGenesis re-validates) never records it without roots.
	f := newFixtureNoInit(t)
	if err := f.k.InitGenesis(f.ctx, gs); err == nil {
		t.Fatal("InitGenesis took simulated_roots_allowed with empty roots")
	}
	f = newFixture(t, nil)
	p2 := testParams()
	p2.SimulatedRoots = sim
	_, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: govAddr, Params: &p2})
	mustCode(t, err, "snpattest", 11)

	gs = types.DefaultGenesis()
	p3 := testParams()
	p3.AllowDebug = true
	gs.Params = &p3
	if err := gs.Validate(); err == nil || !strings.Contains(err.Error(), "allow_debug") {
		t.Fatalf("allow_debug on a production genesis: %v", err)
	}
	p3.SimulatedRoots = sim
	if err := gs.Validate(); err != nil {
		t.Fatalf("allow_debug on a simulated genesis: %v", err)
	}
	// The chain that started with roots and then dropped them exports no flag: its successor cannot
	// add them back.
	gs = types.DefaultGenesis()
	p4 := testParams()
	p4.SimulatedRoots = sim
	gs.Params = &p4
	f = newFixture(t, gs)
	p5 := testParams()
	if _, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: govAddr, Params: &p5}); err != nil {
		t.Fatal(err)
	}
	out, err := f.k.ExportGenesis(f.ctx)
	if err != nil || out.SimulatedRootsAllowed {
		t.Fatalf("export after dropping the roots: flag %v, %v", out.SimulatedRootsAllowed, err)
	}
}

func typedEvent(t *testing.T, f *fixture, msg proto.Message) bool {
	t.Helper()
	name := proto.MessageName(msg)
	for _, e := range f.ctx.EventManager().Events() {
		if e.Type != name {
			continue
		}
		got, err := sdk.ParseTypedEvent(abciEvent(e))
		if err != nil {
			t.Fatal(err)
		}
		bz1, _ := proto.Marshal(got)
		bz2, _ := proto.Marshal(msg)
		if string(bz1) == string(bz2) {
			return true
		}
	}
	return false
}

// Every governance change emits an event; a change that changes nothing says so.
func TestGovernanceChangesEmitEvents(t *testing.T) {
	f := newFixture(t, nil)
	fresh := func() { f.ctx = f.ctx.WithEventManager(sdk.NewEventManager()) }
	set := []*types.SignerKey{sigA.key(), sigB.key()}
	for i, unchanged := range []bool{false, true} {
		fresh()
		if _, err := f.msg.SetAllowlistSigners(f.ctx, &types.MsgSetAllowlistSigners{Authority: govAddr, Signers: set, Threshold: 2}); err != nil {
			t.Fatal(err)
		}
		want := &types.EventAllowlistSignersSet{SetVersion: uint64(i + 1), Threshold: 2, KeyIds: []string{"a", "b"}, Unchanged: unchanged}
		if !typedEvent(t, f, want) {
			t.Fatalf("no %+v in %v", want, f.eventTypes())
		}
	}
	p := testParams()
	fresh()
	if _, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: govAddr, Params: &p}); err != nil {
		t.Fatal(err)
	}
	if !typedEvent(t, f, &types.EventParamsUpdated{Unchanged: true}) {
		t.Fatalf("no-op params update: %v", f.eventTypes())
	}
	p.ValidityEpochs, p.MaxAttemptsPerBlock = 5, 7
	fresh()
	if _, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: govAddr, Params: &p}); err != nil {
		t.Fatal(err)
	}
	if !typedEvent(t, f, &types.EventParamsUpdated{Changed: []string{"validity_epochs", "max_attempts_per_block"}}) {
		t.Fatalf("params update: %v", f.ctx.EventManager().Events())
	}
	for _, already := range []bool{false, true} {
		fresh()
		if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator1, Reason: "x"}); err != nil {
			t.Fatal(err)
		}
		if !typedEvent(t, f, &types.EventOperatorRevoked{Operator: operator1, Reason: "governance: x", AlreadyRevoked: already}) {
			t.Fatalf("revoke (already %v): %v", already, f.eventTypes())
		}
	}
	fresh()
	if _, err := f.msg.RestoreOperator(f.ctx, &types.MsgRestoreOperator{Authority: govAddr, Operator: operator1}); err != nil {
		t.Fatal(err)
	}
	if !typedEvent(t, f, &types.EventOperatorRestored{Operator: operator1}) {
		t.Fatalf("restore: %v", f.eventTypes())
	}
}
