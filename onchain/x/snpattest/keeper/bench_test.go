package keeper_test

import (
	"os"
	"testing"
	"time"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
	"github.com/snprelay/snprelay/onchain/x/snpattest/verify"
)

// BenchmarkVerifyRealMilan measures one full verification of a real AMD Milan report (go-sev-guest
// chain + report signature against the pinned roots, then the module's rules): the work VerifyGas pays
// for. README.md "Gas" derives VerifyGas from this figure.
func BenchmarkVerifyRealMilan(b *testing.B) {
	report, err := os.ReadFile(snpDir + "milan_v2_virtee_report.bin")
	if err != nil {
		b.Fatal(err)
	}
	vcek, err := os.ReadFile(snpDir + "milan_virtee_vcek.der")
	if err != nil {
		b.Fatal(err)
	}
	roots, err := verify.NewRoots(nil)
	if err != nil {
		b.Fatal(err)
	}
	in := verify.Input{
		Report: report, VcekDER: vcek, ExpectedReportData: append([]byte{}, report[0x50:0x90]...),
		Params: types.DefaultParams(), Height: 100, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Allowlist: func(m []byte) (types.AllowlistEntry, bool) { return types.AllowlistEntry{Measurement: m}, true },
	}
	if _, rej := verify.Verify(in, roots); rej != nil {
		b.Fatal(rej)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, rej := verify.Verify(in, roots); rej != nil {
			b.Fatal(rej)
		}
	}
}

// BenchmarkSecp256k1Verify is the yardstick: the SDK's ante handler charges 1000 gas
// (DefaultSigVerifyCostSecp256k1) for one of these.
func BenchmarkSecp256k1Verify(b *testing.B) {
	s := newSigner("bench")
	msg := []byte("snprelay/allowlist/v1 benchmark")
	sig, err := s.priv.Sign(msg)
	if err != nil {
		b.Fatal(err)
	}
	pk := s.priv.PubKey()
	if !pk.VerifySignature(msg, sig) {
		b.Fatal("signature does not verify")
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		pk.VerifySignature(msg, sig)
	}
}

// BenchmarkSubmitAttestationHandler is the whole MsgSubmitAttestation handler on chain for one
// accepted simulated report (checks, gas charge, verification, record, status, events); each iteration
// runs in a discarded cache context so the (operator, epoch) stays fresh.
func BenchmarkSubmitAttestationHandler(b *testing.B) {
	f, pki := acceptFixture(b, true, nil)
	f.runTo(11)
	msg := f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)
	if err := f.k.CountAttempt(f.ctx, msg); err != nil { // the ante decorator's count
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		ctx, _ := f.ctx.CacheContext()
		if _, err := f.msg.SubmitAttestation(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}
