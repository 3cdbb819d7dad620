package keeper_test

import (
	"testing"

	storetypes "cosmossdk.io/store/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Issue 20, unbounded cost: failed verifications were unlimited (the per-block cap counted accepted
// submissions only). Two bound relayers flood one block with reports whose signature is broken; with
// max_attempts_per_operator_epoch 4 and max_attempts_per_block 6, exactly 6 reach the verifier in that
// block (4 for operator1, 2 for operator2), every other one is refused with code 13 before the
// verification gas is charged, and the next block lets operator2 use its 2 remaining attempts only.
func TestFloodOfFailingSubmissionsIsBounded(t *testing.T) {
	f, pki := acceptFixture(t, true, func(p *types.Params) {
		p.MaxAttemptsPerOperatorEpoch = 4
		p.MaxAttemptsPerBlock = 6
	})
	f.runTo(11)
	bad := func(op, rel string) *types.MsgSubmitAttestation {
		m := f.boundSubmission(pki, 1, op, rel, 1, nil)
		m.Report[0x2A0] ^= 1 // SIGNATURE_INVALID: a full chain + P-384 check that fails
		return m
	}
	flood := func(n int) (verified, refused int) {
		for i := 0; i < n; i++ {
			for _, s := range []struct{ op, rel string }{{operator1, relayer1}, {operator2, relayer2}} {
				f.ctx = f.ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
				_, err := f.submit(bad(s.op, s.rel))
				gas := f.ctx.GasMeter().GasConsumed()
				switch {
				case err == nil:
					t.Fatal("a broken report was accepted")
				case types.ErrTooManyAttempts.Is(err):
					refused++
					if gas >= keeper.VerifyGas {
						t.Fatalf("a refused attempt consumed %d gas (verification charged)", gas)
					}
				case types.ErrReportRejected.Is(err):
					verified++
				default:
					t.Fatalf("unexpected refusal: %v", err)
				}
			}
		}
		return verified, refused
	}
	if v, r := flood(20); v != 6 || r != 34 {
		t.Fatalf("block 11: %d verifications, %d refused; want 6, 34", v, r)
	}
	if n, _ := f.k.BlockAttempts.Get(f.ctx, 11); n != 6 {
		t.Fatalf("block 11 counted %d attempts", n)
	}
	f.block(12)
	if v, r := flood(20); v != 2 || r != 38 {
		t.Fatalf("block 12: %d verifications, %d refused; want 2 (operator2's rest), 38", v, r)
	}
	// The same bound holds in CheckTx (the mempool) and Simulate: a fresh epoch-1 attempt by operator1
	// is refused there too, before verification.
	for _, mode := range []sdk.ExecMode{sdk.ExecModeCheck, sdk.ExecModeReCheck, sdk.ExecModeSimulate} {
		err := f.k.CountAttempt(f.ctx.WithExecMode(mode), bad(operator1, relayer1))
		mustCode(t, err, "snpattest", 13)
	}
	// A good report of operator1 in epoch 2 is still possible: the limit is per (operator, epoch).
	f.runTo(21)
	if _, err := f.submit(f.boundSubmission(pki, 2, operator1, relayer1, 1, nil)); err != nil {
		t.Fatalf("next epoch: %v", err)
	}
	// Attempt counters leave with their epoch's nonce (retention 3: epoch 1 gone at epoch 4).
	f.runTo(40)
	it, err := f.k.Attempts.Iterate(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := it.Keys()
	for _, k := range keys {
		if k.K1() < 2 {
			t.Fatalf("attempt counter of epoch %d kept at epoch 4", k.K1())
		}
	}
}

// Only the bound relayer can spend an operator's attempts: a stranger's flood is refused (code 5)
// without counting, and the operator's own report still lands.
func TestStrangerCannotSpendAttempts(t *testing.T) {
	f, pki := acceptFixture(t, true, func(p *types.Params) { p.MaxAttemptsPerOperatorEpoch = 1 })
	f.runTo(11)
	for i := 0; i < 5; i++ {
		_, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer2, 1, nil))
		mustCode(t, err, "snpattest", 5)
	}
	if _, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)); err != nil {
		t.Fatalf("the bound relayer's only attempt: %v", err)
	}
}
