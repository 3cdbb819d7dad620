package keeper_test

import (
	"crypto/sha256"
	"os"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/store/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

const snpDir = "../../../../tests/data/snp/"

func readSnp(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(snpDir + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSetRelayer(t *testing.T) {
	f := newFixture(t, nil)
	f.block(1)
	cases := []struct {
		name     string
		msg      types.MsgSetRelayer
		space    string
		code     uint32
		wantBind string
	}{
		{"bind", types.MsgSetRelayer{Operator: operator1, Relayer: relayer1}, "", 0, relayer1},
		{"replace", types.MsgSetRelayer{Operator: operator1, Relayer: relayer2}, "", 0, relayer2},
		{"unknown validator", types.MsgSetRelayer{Operator: unknownOp, Relayer: relayer1}, "staking", 3, ""},
		{"account as operator", types.MsgSetRelayer{Operator: relayer1, Relayer: relayer1}, "sdk", 7, ""},
		{"bad relayer", types.MsgSetRelayer{Operator: operator1, Relayer: "cosmos1xyz"}, "sdk", 7, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.msg.SetRelayer(f.ctx, &c.msg)
			if c.code != 0 {
				mustCode(t, err, c.space, c.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !hasEvent(f, "snpattest.v1.EventRelayerSet") {
				t.Fatal("no EventRelayerSet")
			}
			r, err := f.q.Relayer(f.ctx, &types.QueryRelayerRequest{Operator: c.msg.Operator})
			if err != nil || r.Relayer != c.wantBind {
				t.Fatalf("Relayer = %v, %v; want %s", r, err, c.wantBind)
			}
		})
	}
}

// submitFixture: epochs of 10 blocks (window 5), operator1 bound to relayer1, allowlist version 1.
func submitFixture(t *testing.T) *fixture {
	f := allowlistFixture(t)
	f.mustApply(update(1, types.ZeroPrevHash, nil))
	if _, err := f.msg.SetRelayer(f.ctx, &types.MsgSetRelayer{Operator: operator1, Relayer: relayer1}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) submission(epoch uint64) *types.MsgSubmitAttestation {
	report := readSnp(f.t, "milan_v2_virtee_report.bin")
	vcek := readSnp(f.t, "milan_virtee_vcek.der")
	sum := sha256.Sum256(vcek)
	return &types.MsgSubmitAttestation{Relayer: relayer1, Operator: operator1, Epoch: epoch, Report: report,
		VcekDer: vcek, VcekSha256: sum[:], AllowlistVersion: 1}
}

// The checks before verification, in order, and the real verifier's verdict on a real AMD report
// whose report_data is not our binding (code 6) or whose bytes are broken (code 2).
func TestSubmitAttestationChecks(t *testing.T) {
	cases := []struct {
		name   string
		height int64 // run blocks up to this height first
		setup  func(f *fixture)
		mutate func(m *types.MsgSubmitAttestation)
		epoch  uint64
		space  string
		code   uint32
		log    string
		gas    bool // the fixed verification gas was consumed
	}{
		{"no epoch yet", 9, nil, nil, 1, "snpattest", 3, "no epoch", false},
		{"current epoch, window open → real verify: binding mismatch", 14, nil, nil, 1, "snpattest", 6, "REPORT_DATA_MISMATCH", true},
		{"current epoch, window closed", 15, nil, nil, 1, "snpattest", 3, "closed at height 15", false},
		{"previous epoch in the new window", 24, nil, nil, 1, "snpattest", 6, "REPORT_DATA_MISMATCH", true},
		{"previous epoch after the new window", 25, nil, nil, 1, "snpattest", 3, "closed", false},
		{"previous epoch, accept_previous_epoch off", 21, func(f *fixture) {
			p := testParams()
			p.AcceptPreviousEpoch = false
			f.setParams(p)
		}, nil, 1, "snpattest", 3, "accept_previous_epoch false", false},
		{"two epochs back", 31, nil, nil, 1, "snpattest", 3, "not open", false},
		{"future epoch", 11, nil, nil, 2, "snpattest", 3, "not open", false},
		{"relayer not registered", 11, nil, func(m *types.MsgSubmitAttestation) { m.Relayer = relayer2 }, 1, "snpattest", 5, "not " + relayer2, false},
		{"operator without relayer", 11, nil, func(m *types.MsgSubmitAttestation) { m.Operator = operator2 }, 1, "snpattest", 5, "has no relayer", false},
		{"duplicate (operator, epoch) with a different report", 11, func(f *fixture) {
			if err := f.k.Attestations.Set(f.ctx, collections.Join(operator1, uint64(1)), types.AttestationRecord{Operator: operator1, Epoch: 1, ReportSha256: bytesOf(1, 32)}); err != nil {
				t.Fatal(err)
			}
		}, func(m *types.MsgSubmitAttestation) { m.Report[0x2A0] ^= 1 }, 1, "snpattest", 4, "already has", false},
		{"too many submissions in the block", 11, func(f *fixture) {
			if err := f.k.Submissions.Set(f.ctx, 11, 2); err != nil {
				t.Fatal(err)
			}
		}, nil, 1, "snpattest", 12, "max_submissions_per_block 2", false},
		{"allowlist version too new", 11, nil, func(m *types.MsgSubmitAttestation) { m.AllowlistVersion = 2 }, 1, "snpattest", 8, "allowlist_version 2", false},
		{"governance-revoked operator", 11, func(f *fixture) {
			if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator1, Reason: "compromised host"}); err != nil {
				t.Fatal(err)
			}
		}, nil, 1, "snpattest", 2, "OPERATOR_REVOKED", false},
		{"vcek sha256 mismatch", 11, nil, func(m *types.MsgSubmitAttestation) { m.VcekSha256 = bytesOf(3, 32) }, 1, "sdk", 18, "not the SHA-256", false},
		{"vcek too large", 11, nil, func(m *types.MsgSubmitAttestation) { m.VcekDer = bytesOf(1, 4097); m.VcekSha256 = nil }, 1, "sdk", 18, "max_vcek_bytes", false},
		{"unknown stored vcek", 11, nil, func(m *types.MsgSubmitAttestation) { m.VcekDer = nil }, 1, "sdk", 38, "holds no VCEK", false},
		{"short report → real verify: SIZE_INVALID", 11, nil, func(m *types.MsgSubmitAttestation) { m.Report = m.Report[:100] }, 1, "snpattest", 2, "SIZE_INVALID", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := submitFixture(t)
			f.runTo(c.height)
			if c.setup != nil {
				c.setup(f)
			}
			m := f.submission(c.epoch)
			if c.mutate != nil {
				c.mutate(m)
			}
			f.ctx = f.ctx.WithGasMeter(storetypes.NewGasMeter(10_000_000))
			_, err := f.submit(m)
			mustCode(t, err, c.space, c.code)
			if !strings.Contains(err.Error(), c.log) {
				t.Fatalf("log %q does not contain %q", err.Error(), c.log)
			}
			if used := f.ctx.GasMeter().GasConsumed(); (used >= keeper.VerifyGas) != c.gas {
				t.Fatalf("gas consumed %d; verification gas charged should be %t", used, c.gas)
			}
			if n, _ := f.k.Attestations.Has(f.ctx, collections.Join(operator1, c.epoch)); n && c.code != 4 {
				t.Fatal("a refused submission was recorded")
			}
		})
	}
}

// Simulate runs at the last committed height, whose submission count does not limit the next block.
func TestPerBlockCapOnlyInFinalizeBlock(t *testing.T) {
	f := submitFixture(t)
	f.runTo(11)
	if err := f.k.Submissions.Set(f.ctx, 11, 2); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mode sdk.ExecMode
		code uint32
	}{{sdk.ExecModeSimulate, 6 /* past the cap, on to the real verifier */}, {sdk.ExecModeFinalize, 12}} {
		ctx := f.ctx.WithExecMode(c.mode)
		if err := f.k.CountAttempt(ctx, f.submission(1)); err != nil {
			t.Fatal(err)
		}
		_, err := f.msg.SubmitAttestation(ctx, f.submission(1))
		mustCode(t, err, "snpattest", c.code)
	}
}

// Out of gas before verification: the charge happens first, so a low gas limit fails with the
// snpattest/verify descriptor rather than verifying for free.
func TestSubmitAttestationOutOfGas(t *testing.T) {
	f := submitFixture(t)
	f.runTo(11)
	f.ctx = f.ctx.WithGasMeter(storetypes.NewGasMeter(200_000))
	defer func() {
		r := recover()
		oog, ok := r.(storetypes.ErrorOutOfGas)
		if !ok || oog.Descriptor != keeper.VerifyGasDescriptor {
			t.Fatalf("recovered %v, want out of gas in %s", r, keeper.VerifyGasDescriptor)
		}
	}()
	_, _ = f.submit(f.submission(1))
	t.Fatal("no out-of-gas panic")
}

func (f *fixture) setParams(p types.Params) {
	f.t.Helper()
	if _, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: govAddr, Params: &p}); err != nil {
		f.t.Fatal(err)
	}
}
