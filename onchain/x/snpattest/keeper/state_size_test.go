package keeper_test

import (
	"fmt"
	"testing"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// storeSize is the module store's size: entries and key+value bytes.
func storeSize(f *fixture) (entries, bytes int) {
	it := f.ctx.KVStore(f.key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		entries++
		bytes += len(it.Key()) + len(it.Value())
	}
	return entries, bytes
}

// runEpochs attests n validators every epoch for epochs epochs and returns the store's entry count and
// byte size at the start of each epoch.
func runEpochs(tb testing.TB, n, epochs int) (entries, sizes []int) {
	pki := loadSimPKI(tb)
	gs := types.DefaultGenesis()
	p := testParams()
	p.SimulatedRoots = [][]byte{pki.arkDER, pki.askDER}
	p.MaxSubmissionsPerBlock = uint32(n)
	p.MaxAttemptsPerBlock = uint32(n)
	p.MaxOperatorsPerChip = uint32(n)
	p.RecordRetentionEpochs = 4 // validity 2 + 2
	p.PrunePerBlock = uint32(n)
	gs.Params = &p
	gs.Signers = []*types.SignerKey{sigA.key(), sigB.key(), sigC.key()}
	gs.Threshold = 2
	first := update(1, types.ZeroPrevHash, func(u *types.AllowlistUpdate) {
		u.Add = []*types.AllowlistEntry{{Measurement: pki.template[0x90:0xC0], Label: "virtee image"}}
	})
	gs.AllowlistUpdateBytes = first
	gs.AllowlistSignatures = []*types.AllowlistSignature{sigA.sign(tb, first), sigB.sign(tb, first)}
	ops := make([]string, n)
	for i := range ops {
		ops[i] = sdk.ValAddress(bytesOf(byte(100+i), 20)).String()
		gs.Relayers = append(gs.Relayers, &types.RelayerBinding{Operator: ops[i], Relayer: relayer1})
	}
	f := newFixture(tb, gs)
	for e := 1; e <= epochs; e++ {
		f.runTo(int64(e * 10))
		c, b := storeSize(f)
		entries, sizes = append(entries, c), append(sizes, b)
		f.block(int64(e*10 + 1))
		for _, op := range ops {
			if _, err := f.submit(f.boundSubmission(pki, uint64(e), op, relayer1, 1, nil)); err != nil {
				tb.Fatalf("epoch %d %s: %v", e, op, err)
			}
		}
	}
	return entries, sizes
}

// Issue 20, unbounded state: records and VCEKs were never pruned. With retention 4 epochs the store
// stops growing once retention is reached: the same number of entries every epoch after it, and bytes
// that change only by the varint width of growing heights and epoch numbers (< 0.5 %).
func TestStateSizeFlatAfterRetention(t *testing.T) {
	entries, sizes := runEpochs(t, 8, 14)
	t.Logf("store entries at each epoch start: %v; bytes: %v", entries, sizes)
	for e := 8; e < len(sizes); e++ {
		if entries[e] != entries[7] || sizes[e] > sizes[7]+sizes[7]/200 {
			t.Fatalf("epoch %d: %d entries / %d bytes, epoch 8: %d / %d — the state keeps growing after retention",
				e+1, entries[e], sizes[e], entries[7], sizes[7])
		}
	}
	if sizes[7] <= sizes[1] {
		t.Fatalf("sizes %v: records were never stored", sizes)
	}
}

// BenchmarkStateSize prints the module's state size after many epochs with many validators.
func BenchmarkStateSize(b *testing.B) {
	for n := 0; n < b.N; n++ {
		entries, sizes := runEpochs(b, 32, 24)
		if n == 0 {
			fmt.Printf("32 validators, retention 4 epochs, epoch starts 1..24: entries %v\nbytes %v\n", entries, sizes)
		}
		b.ReportMetric(float64(sizes[len(sizes)-1]), "store-bytes")
	}
}

// A validator removed from x/staking loses its binding, status, revocation and chip binding.
func TestRemovedValidatorIsForgotten(t *testing.T) {
	f, pki := acceptFixture(t, true, nil)
	f.runTo(11)
	if _, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator1, Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	val, _ := sdk.ValAddressFromBech32(operator1)
	if err := f.k.Hooks().AfterValidatorRemoved(f.ctx, nil, val); err != nil {
		t.Fatal(err)
	}
	for name, has := range map[string]func() (bool, error){
		"status":     func() (bool, error) { return f.k.Statuses.Has(f.ctx, operator1) },
		"relayer":    func() (bool, error) { return f.k.Relayers.Has(f.ctx, operator1) },
		"revocation": func() (bool, error) { return f.k.GovernanceRevoked.Has(f.ctx, operator1) },
		"chip":       func() (bool, error) { return f.k.OperatorChip.Has(f.ctx, operator1) },
	} {
		if h, err := has(); err != nil || h {
			t.Errorf("%s kept after removal (%v)", name, err)
		}
	}
	it, _ := f.k.MeasurementIndex.Iterate(f.ctx, nil)
	keys, _ := it.Keys()
	for _, k := range keys {
		if k.K2() == operator1 {
			t.Error("index entry kept after removal")
		}
	}
	if !hasEvent(f, "snpattest.v1.EventOperatorRemoved") {
		t.Error("no EventOperatorRemoved")
	}
}

// A VCEK no record names any more is pruned with the last such record.
func TestVcekPrunedWithItsLastRecord(t *testing.T) {
	f, pki := acceptFixture(t, true, func(p *types.Params) { p.RecordRetentionEpochs = 4 })
	f.runTo(11)
	msg := f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)
	if _, err := f.submit(msg); err != nil {
		t.Fatal(err)
	}
	if has, _ := f.k.Vceks.Has(f.ctx, msg.VcekSha256); !has {
		t.Fatal("the VCEK was not stored")
	}
	f.runTo(51) // epoch 5: epochs 1..5 are within retention (epochs ≥ current − 4 are kept)
	if has, _ := f.k.Attestations.Has(f.ctx, collections.Join(operator1, uint64(1))); !has {
		t.Fatal("the epoch-1 record was pruned within retention")
	}
	f.runTo(61) // epoch 6: epoch 1 < 6 − 4 is past retention
	if has, _ := f.k.Attestations.Has(f.ctx, collections.Join(operator1, uint64(1))); has {
		t.Fatal("the epoch-1 record outlived retention")
	}
	if has, _ := f.k.Vceks.Has(f.ctx, msg.VcekSha256); has {
		t.Fatal("the VCEK outlived its last record")
	}
	if has, _ := f.k.VcekRefs.Has(f.ctx, msg.VcekSha256); has {
		t.Fatal("the VCEK reference count outlived its last record")
	}
}
