package keeper_test

import (
	"crypto/sha256"
	"strings"
	"testing"

	storetypes "cosmossdk.io/store/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// revocationFixture: operator1 ATTESTED in epoch 1 with the simulated chip; epoch 2's window open.
func revocationFixture(t *testing.T, mut func(p *types.Params)) (*fixture, *simPKI, *orderChain) {
	f, pki := acceptFixture(t, true, mut)
	f.runTo(11)
	if _, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)); err != nil {
		t.Fatal(err)
	}
	f.runTo(21)
	return f, pki, &orderChain{f: f, pki: pki}
}

func (c *orderChain) submitAs(op, rel string, epoch uint64) error {
	v, _ := c.f.k.AllowlistVersion.Get(c.f.ctx)
	_, err := c.f.submit(c.f.boundSubmission(c.pki, epoch, op, rel, v, nil))
	return err
}

func mustStatus(t *testing.T, f *fixture, op string, want types.OperatorStatus_Status, reason string) {
	t.Helper()
	st, err := f.k.Statuses.Get(f.ctx, op)
	if err != nil || st.Status != want || !strings.Contains(st.Reason, reason) {
		t.Fatalf("%s: %v %q (%v), want %v naming %q", op, st.Status, st.Reason, err, want, reason)
	}
}

func mustRejected(t *testing.T, err error, code uint32, name string) {
	t.Helper()
	mustCode(t, err, "snpattest", code)
	if !strings.Contains(err.Error(), name) {
		t.Fatalf("log does not name %s: %v", name, err)
	}
}

// Issue 20, no revocation below the measurement: a compromised chip could not be refused.
func TestChipDenial(t *testing.T) {
	f, pki, c := revocationFixture(t, nil)
	rec, _ := f.q.Attestation(f.ctx, &types.QueryAttestationRequest{Operator: operator1, Epoch: 1})
	chip := rec.Record.ChipIdSha256
	c.nextUpdate(func(u *types.AllowlistUpdate) { u.DenyChipIdSha256 = [][]byte{chip} })
	mustStatus(t, f, operator1, types.OperatorStatus_STATUS_REVOKED, "CHIP_DENIED")
	mustRejected(t, c.submitAs(operator1, relayer1, 2), 2, "CHIP_DENIED")
	c.nextUpdate(func(u *types.AllowlistUpdate) { u.UndenyChipIdSha256 = [][]byte{chip} })
	if err := c.submitAs(operator1, relayer1, 2); err != nil {
		t.Fatalf("after undeny: %v", err)
	}
	_ = pki
}

// A denied VCEK is refused before the verification gas is charged; a denied ASK after verification.
func TestCertDenial(t *testing.T) {
	f, pki, c := revocationFixture(t, nil)
	vcek := sha256.Sum256(pki.vcekDER)
	c.nextUpdate(func(u *types.AllowlistUpdate) { u.DenyCertSha256 = [][]byte{vcek[:]} })
	mustStatus(t, f, operator1, types.OperatorStatus_STATUS_REVOKED, "CERT_DENIED: VCEK")
	f.ctx = f.ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	mustRejected(t, c.submitAs(operator1, relayer1, 2), 2, "CERT_DENIED")
	if g := f.ctx.GasMeter().GasConsumed(); g >= keeper.VerifyGas {
		t.Fatalf("denied VCEK consumed %d gas: verified anyway", g)
	}
	ask := sha256.Sum256(pki.askDER)
	c.nextUpdate(func(u *types.AllowlistUpdate) {
		u.UndenyCertSha256 = [][]byte{vcek[:]}
		u.DenyCertSha256 = [][]byte{ask[:]}
	})
	mustRejected(t, c.submitAs(operator2, relayer2, 2), 2, "CERT_DENIED: ASK")
}

// Withdrawing a product takes effect at once: ATTESTED operators of it → REVOKED with the reason.
func TestProductWithdrawal(t *testing.T) {
	f, _, c := revocationFixture(t, nil)
	c.nextUpdate(func(u *types.AllowlistUpdate) { u.WithdrawProducts = []string{"Milan"} })
	mustStatus(t, f, operator1, types.OperatorStatus_STATUS_REVOKED, "PRODUCT_WITHDRAWN: product Milan")
	mustRejected(t, c.submitAs(operator2, relayer2, 2), 2, "PRODUCT_WITHDRAWN")
	c.nextUpdate(func(u *types.AllowlistUpdate) { u.RestoreProducts = []string{"Milan"} })
	if err := c.submitAs(operator2, relayer2, 2); err != nil {
		t.Fatalf("after restore: %v", err)
	}
	// Shape: a product both withdrawn and restored in one update is refused.
	v, _ := f.k.AllowlistVersion.Get(f.ctx)
	prev, _ := f.k.AllowlistUpdates.Get(f.ctx, v)
	ub := update(v+1, types.UpdateHash(prev.UpdateBytes), func(u *types.AllowlistUpdate) {
		u.Add = nil
		u.WithdrawProducts, u.RestoreProducts = []string{"Genoa"}, []string{"Genoa"}
	})
	mustCode(t, f.applyUpdate(ub, sigA.sign(t, ub), sigB.sign(t, ub)), "sdk", 18)
}

// max_operators_per_chip 1: a second validator attesting with a CHIP_ID that already attests for
// another is refused with code 14; once the first is no longer ATTESTED (here: governance revocation),
// the chip can attest for the second.
func TestOneChipOneValidator(t *testing.T) {
	f, _, c := revocationFixture(t, func(p *types.Params) { p.MaxOperatorsPerChip = 1 })
	mustRejected(t, c.submitAs(operator2, relayer2, 2), 14, "already attests for")
	if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator1, Reason: "moved"}); err != nil {
		t.Fatal(err)
	}
	f.block(f.ctx.BlockHeight() + 1)
	if err := c.submitAs(operator2, relayer2, 2); err != nil {
		t.Fatalf("chip rebinding after the first validator stopped attesting: %v", err)
	}
	gs, err := f.k.ExportGenesis(f.ctx)
	if err != nil || len(gs.ChipBindings) != 1 || len(gs.ChipBindings[0].Operators) != 1 || gs.ChipBindings[0].Operators[0] != operator2 {
		t.Fatalf("exported chip bindings %+v %v", gs.ChipBindings, err)
	}
}
