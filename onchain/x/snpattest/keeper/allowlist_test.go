package keeper_test

import (
	"bytes"
	"math/big"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

var (
	sigA, sigB, sigC = newSigner("a"), newSigner("b"), newSigner("c")
	measA            = bytesOf(0xA1, 48)
	measB            = bytesOf(0xB2, 48)
)

// allowlistFixture: signers a, b, c with threshold 2.
func allowlistFixture(t testing.TB) *fixture {
	gs := types.DefaultGenesis()
	p := testParams()
	gs.Params = &p
	gs.Signers = []*types.SignerKey{sigA.key(), sigB.key(), sigC.key()}
	gs.Threshold = 2
	f := newFixture(t, gs)
	f.runTo(3)
	return f
}

func update(version uint64, prev []byte, mut func(u *types.AllowlistUpdate)) []byte {
	u := types.AllowlistUpdate{ChainId: chainID, Version: version, PrevHash: prev,
		Add: []*types.AllowlistEntry{{Measurement: measA, Label: "image A"}}}
	if mut != nil {
		mut(&u)
	}
	bz, err := u.Marshal()
	if err != nil {
		panic(err)
	}
	return bz
}

func (f *fixture) applyUpdate(ub []byte, sigs ...*types.AllowlistSignature) error {
	_, err := f.msg.UpdateAllowlist(f.ctx, &types.MsgUpdateAllowlist{Submitter: relayer1, UpdateBytes: ub, Signatures: sigs})
	return err
}

// highS turns a low-S signature into its n−S twin (verifies mathematically, refused as malleable).
func highS(sig []byte) []byte {
	s := new(big.Int).SetBytes(sig[32:])
	n := secp256k1.S256().N
	s.Sub(n, s)
	out := append([]byte{}, sig[:32]...)
	return append(out, s.FillBytes(make([]byte, 32))...)
}

func TestAllowlistUpdateHappyPath(t *testing.T) {
	f := allowlistFixture(t)
	v1 := update(1, types.ZeroPrevHash, nil)
	if err := f.applyUpdate(v1, sigA.sign(t, v1), sigC.sign(t, v1)); err != nil {
		t.Fatal(err)
	}
	if !hasEvent(f, "snpattest.v1.EventAllowlistUpdated") {
		t.Fatal("no EventAllowlistUpdated")
	}
	v2 := update(2, types.UpdateHash(v1), func(u *types.AllowlistUpdate) {
		u.Add = []*types.AllowlistEntry{{Measurement: measB, Label: "image B"}}
		u.Revoke = [][]byte{measA}
		u.MinTcb = []*types.ProductTcb{{Product: "Genoa", BootLoader: 9, Tee: 0, Snp: 23, Microcode: 72}}
	})
	if err := f.applyUpdate(v2, sigB.sign(t, v2), sigA.sign(t, v2), sigC.sign(t, v2)); err != nil {
		t.Fatal(err)
	}
	resp, err := f.q.Allowlist(f.ctx, &types.QueryAllowlistRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Version != 2 || len(resp.Entries) != 1 || !bytes.Equal(resp.Entries[0].Measurement, measB) ||
		!bytes.Equal(resp.UpdateBytes, v2) || !bytes.Equal(resp.UpdateSha256, types.UpdateHash(v2)) || len(resp.Signatures) != 3 {
		t.Fatalf("Allowlist() = %+v", resp)
	}
	old, err := f.q.Allowlist(f.ctx, &types.QueryAllowlistRequest{Version: 1})
	if err != nil || len(old.Entries) != 1 || !bytes.Equal(old.Entries[0].Measurement, measA) {
		t.Fatalf("Allowlist(1) = %+v, %v", old, err)
	}
	ups, err := f.q.AllowlistUpdates(f.ctx, &types.QueryAllowlistUpdatesRequest{FromVersion: 2, Limit: 10})
	if err != nil || len(ups.Updates) != 1 || ups.Updates[0].Version != 2 || ups.Updates[0].AppliedHeight != 3 {
		t.Fatalf("AllowlistUpdates = %+v, %v", ups, err)
	}
	mt, err := f.k.MinTcb.Get(f.ctx, "Genoa")
	if err != nil || mt.Snp != 23 {
		t.Fatalf("min_tcb Genoa = %+v, %v", mt, err)
	}
	if has, _ := f.k.Entries.Has(f.ctx, measA); has {
		t.Fatal("revoked measurement still applied")
	}
}

func TestAllowlistUpdateRefusals(t *testing.T) {
	v1 := update(1, types.ZeroPrevHash, nil)
	other := newSigner("a") // same id, different key: a forgery
	other.priv.Key = bytesOf(7, 32)
	cases := []struct {
		name     string
		bytes    func(f *fixture) []byte
		sigs     func(t *testing.T, ub []byte) []*types.AllowlistSignature
		space    string
		code     uint32
		logWants string
	}{
		{"forged signature", nil, func(t *testing.T, ub []byte) []*types.AllowlistSignature {
			return []*types.AllowlistSignature{other.sign(t, ub), sigB.sign(t, ub)}
		}, "snpattest", 7, "1 of 2 required signatures"},
		{"duplicate signer", nil, func(t *testing.T, ub []byte) []*types.AllowlistSignature {
			return []*types.AllowlistSignature{sigA.sign(t, ub), sigA.sign(t, ub)}
		}, "snpattest", 7, "1 of 2 required signatures"},
		{"unknown key id", nil, func(t *testing.T, ub []byte) []*types.AllowlistSignature {
			return []*types.AllowlistSignature{sigA.sign(t, ub), newSigner("z").sign(t, ub)}
		}, "snpattest", 10, `key id "z"`},
		{"high-S", nil, func(t *testing.T, ub []byte) []*types.AllowlistSignature {
			s := sigB.sign(t, ub)
			s.Signature = highS(s.Signature)
			return []*types.AllowlistSignature{sigA.sign(t, ub), s}
		}, "snpattest", 7, "1 of 2 required signatures"},
		{"below threshold", nil, func(t *testing.T, ub []byte) []*types.AllowlistSignature {
			return []*types.AllowlistSignature{sigC.sign(t, ub)}
		}, "snpattest", 7, "1 of 2 required signatures"},
		{"short signature", nil, func(t *testing.T, ub []byte) []*types.AllowlistSignature {
			s := sigB.sign(t, ub)
			s.Signature = s.Signature[:63]
			return []*types.AllowlistSignature{sigA.sign(t, ub), s}
		}, "snpattest", 7, "1 of 2 required signatures"},
		{"wrong chain", func(*fixture) []byte {
			return update(1, types.ZeroPrevHash, func(u *types.AllowlistUpdate) { u.ChainId = "other-1" })
		}, nil, "snpattest", 9, "other-1"},
		{"expired", func(*fixture) []byte {
			return update(1, types.ZeroPrevHash, func(u *types.AllowlistUpdate) { u.ValidUntilHeight = 2 })
		}, nil, "snpattest", 9, "valid until height 2"},
		{"same version again", func(f *fixture) []byte { f.mustApply(v1); return v1 }, nil, "snpattest", 8, "want 2"},
		{"rollback", func(f *fixture) []byte {
			f.mustApply(v1)
			f.mustApply(update(2, types.UpdateHash(v1), func(u *types.AllowlistUpdate) { u.Memo = "v2" }))
			return update(1, types.ZeroPrevHash, func(u *types.AllowlistUpdate) { u.Memo = "again" })
		}, nil, "snpattest", 8, "want 3"},
		{"gap", func(f *fixture) []byte { f.mustApply(v1); return update(3, types.UpdateHash(v1), nil) }, nil, "snpattest", 8, "want 2"},
		{"wrong prev_hash", func(f *fixture) []byte { f.mustApply(v1); return update(2, bytesOf(1, 32), nil) }, nil, "snpattest", 8, "prev_hash"},
		{"nonzero prev_hash at v1", func(*fixture) []byte { return update(1, bytesOf(1, 32), nil) }, nil, "snpattest", 8, "prev_hash"},
		{"trailing garbage", func(*fixture) []byte { return append(append([]byte{}, v1...), 0x00) }, nil, "sdk", 18, "not an AllowlistUpdate"},
		{"repeated scalar field", func(*fixture) []byte { return append(append([]byte{}, v1...), 0x10, 0x01) }, nil, "sdk", 18, "canonical"},
		{"unknown field", func(*fixture) []byte { return append(append([]byte{}, v1...), 0xF0, 0x01, 0x01) }, nil, "sdk", 18, "canonical"},
		{"short measurement", func(*fixture) []byte {
			return update(1, types.ZeroPrevHash, func(u *types.AllowlistUpdate) { u.Add[0].Measurement = bytesOf(1, 47) })
		}, nil, "sdk", 18, "measurement is 47 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := allowlistFixture(t)
			ub := v1
			if c.bytes != nil {
				ub = c.bytes(f)
			}
			sigs := []*types.AllowlistSignature{sigA.sign(t, ub), sigB.sign(t, ub)}
			if c.sigs != nil {
				sigs = c.sigs(t, ub)
			}
			before, _ := f.k.AllowlistVersion.Get(f.ctx)
			err := f.applyUpdate(ub, sigs...)
			mustCode(t, err, c.space, c.code)
			if !strings.Contains(err.Error(), c.logWants) {
				t.Fatalf("log %q does not contain %q", err.Error(), c.logWants)
			}
			if after, _ := f.k.AllowlistVersion.Get(f.ctx); after != before {
				t.Fatalf("version changed %d → %d on a refused update", before, after)
			}
		})
	}
}

func (f *fixture) mustApply(ub []byte) {
	f.t.Helper()
	if err := f.applyUpdate(ub, sigA.sign(f.t, ub), sigB.sign(f.t, ub)); err != nil {
		f.t.Fatalf("applying update: %v", err)
	}
}

// seedStatus writes an ATTESTED status naming measurement m (as an accepted submission would).
func (f *fixture) seedStatus(op string, m []byte, tcb *types.ProductTcb) {
	f.t.Helper()
	gsStatus := types.OperatorStatus{Operator: op, Status: types.OperatorStatus_STATUS_ATTESTED, LastEpoch: 1,
		ValidUntilEpoch: 3, Measurement: m, ReportedTcb: tcb, Relayer: relayer1}
	if err := f.k.Statuses.Set(f.ctx, op, gsStatus); err != nil {
		f.t.Fatal(err)
	}
	if err := f.k.MeasurementIndex.Set(f.ctx, collections.Join(m, op)); err != nil {
		f.t.Fatal(err)
	}
}

func TestMeasurementRevocationRevokesOperators(t *testing.T) {
	f := allowlistFixture(t)
	v1 := update(1, types.ZeroPrevHash, func(u *types.AllowlistUpdate) {
		u.Add = append(u.Add, &types.AllowlistEntry{Measurement: measB, Label: "B"})
	})
	f.mustApply(v1)
	f.seedStatus(operator1, measA, nil)
	f.seedStatus(operator2, measB, nil)
	v2 := update(2, types.UpdateHash(v1), func(u *types.AllowlistUpdate) { u.Add = nil; u.Revoke = [][]byte{measA} })
	f.mustApply(v2)
	st1, _ := f.k.Statuses.Get(f.ctx, operator1)
	st2, _ := f.k.Statuses.Get(f.ctx, operator2)
	if st1.Status != types.OperatorStatus_STATUS_REVOKED || !strings.Contains(st1.Reason, "a1a1a1") {
		t.Fatalf("operator1 %v (%q), want REVOKED naming the measurement", st1.Status, st1.Reason)
	}
	if st2.Status != types.OperatorStatus_STATUS_ATTESTED {
		t.Fatalf("operator2 %v, want ATTESTED", st2.Status)
	}
	if !hasEvent(f, "snpattest.v1.EventOperatorStatusChanged") {
		t.Fatal("no EventOperatorStatusChanged")
	}
}

func TestMinTcbRaiseMakesOperatorsStale(t *testing.T) {
	f := allowlistFixture(t)
	v1 := update(1, types.ZeroPrevHash, nil)
	f.mustApply(v1)
	f.seedStatus(operator1, measA, &types.ProductTcb{Product: "Genoa", BootLoader: 9, Tee: 0, Snp: 20, Microcode: 72})
	f.seedStatus(operator2, measA, &types.ProductTcb{Product: "Genoa", BootLoader: 9, Tee: 0, Snp: 23, Microcode: 72})
	v2 := update(2, types.UpdateHash(v1), func(u *types.AllowlistUpdate) {
		u.Add = nil
		u.MinTcb = []*types.ProductTcb{{Product: "Genoa", BootLoader: 9, Snp: 21, Microcode: 72}}
	})
	f.mustApply(v2)
	st1, _ := f.k.Statuses.Get(f.ctx, operator1)
	st2, _ := f.k.Statuses.Get(f.ctx, operator2)
	if st1.Status != types.OperatorStatus_STATUS_STALE || st2.Status != types.OperatorStatus_STATUS_ATTESTED {
		t.Fatalf("statuses %v, %v; want STALE, ATTESTED", st1.Status, st2.Status)
	}
}
