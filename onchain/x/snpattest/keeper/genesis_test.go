package keeper_test

import (
	"bytes"
	"testing"

	"cosmossdk.io/collections"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Export after a few operations, import into a fresh keeper, export again: the bytes are equal.
func TestGenesisExportImportRoundTrip(t *testing.T) {
	f := submitFixture(t) // signers, allowlist v1, a relayer binding
	v1rec, _ := f.k.AllowlistUpdates.Get(f.ctx, 1)
	v2 := update(2, types.UpdateHash(v1rec.UpdateBytes), func(u *types.AllowlistUpdate) {
		u.Add = []*types.AllowlistEntry{{Measurement: measB, Label: "B"}}
		u.MinTcb = []*types.ProductTcb{{Product: "Milan", BootLoader: 3, Snp: 8, Microcode: 115}}
	})
	f.mustApply(v2)
	f.runTo(21)
	f.seedStatus(operator1, measA, &types.ProductTcb{Product: "Milan", BootLoader: 3, Snp: 8, Microcode: 115})
	if err := f.k.Attestations.Set(f.ctx, collections.Join(operator1, uint64(2)), types.AttestationRecord{Operator: operator1, Relayer: relayer1, Epoch: 2, Measurement: measA}); err != nil {
		t.Fatal(err)
	}
	vcek := readSnp(t, "milan_virtee_vcek.der")
	if err := f.k.Vceks.Set(f.ctx, types.UpdateHash(vcek), vcek); err != nil {
		t.Fatal(err)
	}
	if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator2, Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.msg.SetAllowlistSigners(f.ctx, &types.MsgSetAllowlistSigners{Authority: govAddr, Signers: []*types.SignerKey{sigC.key(), sigB.key()}, Threshold: 1}); err != nil {
		t.Fatal(err)
	}

	gs1, err := f.k.ExportGenesis(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := gs1.Validate(); err != nil {
		t.Fatalf("exported genesis does not validate: %v", err)
	}
	if len(gs1.AllowlistUpdates) != 2 || len(gs1.Epochs) != 2 || len(gs1.Statuses) != 2 || len(gs1.Vceks) != 1 ||
		len(gs1.GovernanceRevoked) != 1 || gs1.SignerSetVersion != 1 || len(gs1.BlockHashes) != 2 {
		t.Fatalf("export misses state: %+v", gs1)
	}
	bz1, err := gs1.Marshal()
	if err != nil {
		t.Fatal(err)
	}

	g := newFixture(t, gs1)
	g.ctx = g.ctx.WithBlockHeight(f.ctx.BlockHeight())
	gs2, err := g.k.ExportGenesis(g.ctx)
	if err != nil {
		t.Fatal(err)
	}
	bz2, err := gs2.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bz1, bz2) {
		t.Fatalf("re-export differs:\n%+v\n%+v", gs1, gs2)
	}
	// Derived state came back too: the measurement index (revocation reaches operator1) and the chain
	// continues with the next epoch's nonce from the imported hash ring.
	if has, _ := g.k.MeasurementIndex.Has(g.ctx, collections.Join(measA, operator1)); !has {
		t.Fatal("measurement index not rebuilt")
	}
	if e, _ := g.k.Entries.Get(g.ctx, measB); e.Label != "B" {
		t.Fatal("allowlist entries not rebuilt")
	}
	g.runTo(30)
	ep, err := g.k.Epochs.Get(g.ctx, 3)
	if err != nil || !bytes.Equal(ep.Nonce, types.EpochNonce(chainID, 3, blockHash(29))) {
		t.Fatalf("epoch 3 after import: %+v %v", ep, err)
	}
}

func TestGenesisValidate(t *testing.T) {
	first := update(1, types.ZeroPrevHash, nil)
	gsWith := func(mut func(gs *types.GenesisState)) *types.GenesisState {
		gs := types.DefaultGenesis()
		p := testParams()
		gs.Params = &p
		gs.Signers = []*types.SignerKey{sigA.key(), sigB.key(), sigC.key()}
		gs.Threshold = 2
		gs.AllowlistUpdateBytes = first
		gs.AllowlistSignatures = []*types.AllowlistSignature{sigA.sign(t, first), sigB.sign(t, first)}
		gs.Relayers = []*types.RelayerBinding{{Operator: operator1, Relayer: relayer1}}
		if mut != nil {
			mut(gs)
		}
		return gs
	}
	cases := []struct {
		name string
		gs   *types.GenesisState
		ok   bool
	}{
		{"default", types.DefaultGenesis(), true},
		{"devnet-like", gsWith(nil), true},
		{"no params", gsWith(func(gs *types.GenesisState) { gs.Params = nil }), false},
		{"threshold above signers", gsWith(func(gs *types.GenesisState) { gs.Threshold = 4 }), false},
		{"below threshold", gsWith(func(gs *types.GenesisState) { gs.AllowlistSignatures = gs.AllowlistSignatures[:1] }), false},
		{"first update is version 2", gsWith(func(gs *types.GenesisState) {
			gs.AllowlistUpdateBytes = update(2, types.ZeroPrevHash, nil)
			gs.AllowlistSignatures = []*types.AllowlistSignature{sigA.sign(t, gs.AllowlistUpdateBytes), sigB.sign(t, gs.AllowlistUpdateBytes)}
		}), false},
		{"update without signers", gsWith(func(gs *types.GenesisState) { gs.Signers, gs.Threshold = nil, 0 }), false},
		{"bad relayer operator", gsWith(func(gs *types.GenesisState) { gs.Relayers[0].Operator = relayer1 }), false},
		{"operator bound twice", gsWith(func(gs *types.GenesisState) { gs.Relayers = append(gs.Relayers, gs.Relayers[0]) }), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.gs.Validate(); (err == nil) != c.ok {
				t.Fatalf("Validate() = %v, want ok=%t", err, c.ok)
			}
		})
	}
	// chain_id is checked at InitGenesis against the context's chain.
	other := update(1, types.ZeroPrevHash, func(u *types.AllowlistUpdate) { u.ChainId = "other-1" })
	gs := gsWith(func(gs *types.GenesisState) {
		gs.AllowlistUpdateBytes = other
		gs.AllowlistSignatures = []*types.AllowlistSignature{sigA.sign(t, other), sigB.sign(t, other)}
	})
	if err := gs.Validate(); err != nil {
		t.Fatal(err)
	}
	g := newFixtureNoInit(t)
	mustCode(t, g.k.InitGenesis(g.ctx, gs), "snpattest", 9)
}
