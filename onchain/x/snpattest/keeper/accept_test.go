package keeper_test

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// acceptFixture: a devnet-like chain (simulated_roots = the Go-minted ARK/ASK), signers a, b, c (2 of 3),
// allowlist v1 holding the template report's measurement, operator1 → relayer1 and operator2 → relayer2.
func acceptFixture(t testing.TB, simulated bool, mut func(p *types.Params)) (*fixture, *simPKI) {
	pki := loadSimPKI(t)
	gs := types.DefaultGenesis()
	p := testParams()
	if simulated {
		p.SimulatedRoots = [][]byte{pki.arkDER, pki.askDER}
	}
	if mut != nil {
		mut(&p)
	}
	gs.Params = &p
	gs.Signers = []*types.SignerKey{sigA.key(), sigB.key(), sigC.key()}
	gs.Threshold = 2
	first := update(1, types.ZeroPrevHash, func(u *types.AllowlistUpdate) {
		u.Add = []*types.AllowlistEntry{{Measurement: pki.template[0x90:0xC0], Label: "virtee image"}}
	})
	gs.AllowlistUpdateBytes = first
	gs.AllowlistSignatures = []*types.AllowlistSignature{sigA.sign(t, first), sigB.sign(t, first)}
	gs.Relayers = []*types.RelayerBinding{{Operator: operator1, Relayer: relayer1}, {Operator: operator2, Relayer: relayer2}}
	f := newFixture(t, gs)
	return f, pki
}

// boundSubmission is a report bound to (epoch, operator, relayer, version) at the current chain state.
func (f *fixture) boundSubmission(pki *simPKI, epoch uint64, op, rel string, version uint64, mut func(r []byte)) *types.MsgSubmitAttestation {
	f.t.Helper()
	ep, err := f.k.Epochs.Get(f.ctx, epoch)
	if err != nil {
		f.t.Fatalf("epoch %d: %v", epoch, err)
	}
	rd := types.ReportData(chainID, epoch, ep.Nonce, op, rel, version)
	sum := sha256.Sum256(pki.vcekDER)
	return &types.MsgSubmitAttestation{Relayer: rel, Operator: op, Epoch: epoch, Report: pki.report(f.t, rd, mut),
		VcekDer: pki.vcekDER, VcekSha256: sum[:], AllowlistVersion: version}
}

func TestSubmitAttestationAccepted(t *testing.T) {
	f, pki := acceptFixture(t, true, nil)
	f.runTo(11)
	msg := f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)
	resp, err := f.submit(msg)
	if err != nil {
		t.Fatalf("rejected: %v", err)
	}
	if resp.Status != types.OperatorStatus_STATUS_ATTESTED || resp.ValidUntilEpoch != 3 {
		t.Fatalf("response %+v", resp)
	}
	if !hasEvent(f, "snpattest.v1.EventAttestationAccepted") || !hasEvent(f, "snpattest.v1.EventOperatorStatusChanged") {
		t.Fatalf("events %v", f.eventTypes())
	}
	rec, err := f.q.Attestation(f.ctx, &types.QueryAttestationRequest{Operator: operator1, Epoch: 1})
	if err != nil {
		t.Fatal(err)
	}
	repSum := sha256.Sum256(msg.Report)
	r := rec.Record
	if !r.Simulated || r.Relayer != relayer1 || !bytes.Equal(r.Measurement, pki.template[0x90:0xC0]) ||
		!bytes.Equal(r.ReportSha256, repSum[:]) || r.ReportedTcb.Product != "Milan" || r.Height != 11 || r.AllowlistVersion != 1 {
		t.Fatalf("record %+v", r)
	}
	st, err := f.q.OperatorStatus(f.ctx, &types.QueryOperatorStatusRequest{Operator: operator1})
	if err != nil || st.Status.Status != types.OperatorStatus_STATUS_ATTESTED || !st.Status.Simulated || st.Status.LastEpoch != 1 {
		t.Fatalf("status %+v %v", st, err)
	}

	// The same (operator, epoch) with the S → n−S twin of the accepted report: code 4, not a new record.
	twin := *msg
	twin.Report = malleate(msg.Report)
	if bytes.Equal(twin.Report, msg.Report) {
		t.Fatal("malleation changed nothing")
	}
	_, err = f.submit(&twin)
	mustCode(t, err, "snpattest", 4)

	// Next epoch, VCEK named by hash only (the chain stored it).
	f.runTo(21)
	next := f.boundSubmission(pki, 2, operator1, relayer1, 1, nil)
	next.VcekDer = nil
	if _, err := f.submit(next); err != nil {
		t.Fatalf("stored-VCEK submission rejected: %v", err)
	}
	st, _ = f.q.OperatorStatus(f.ctx, &types.QueryOperatorStatusRequest{Operator: operator1})
	if st.Status.LastEpoch != 2 || st.Status.ValidUntilEpoch != 4 {
		t.Fatalf("status after epoch 2: %+v", st.Status)
	}
	// operator2 submits late for epoch 1 after its epoch 2 report: both recorded, status from epoch 2.
	f.block(22)
	if _, err := f.submit(f.boundSubmission(pki, 2, operator2, relayer2, 1, nil)); err != nil {
		t.Fatal(err)
	}
	f.block(23)
	if _, err := f.submit(f.boundSubmission(pki, 1, operator2, relayer2, 1, nil)); err != nil {
		t.Fatal(err)
	}
	st2, _ := f.k.Statuses.Get(f.ctx, operator2)
	if st2.LastEpoch != 2 || st2.ValidUntilEpoch != 4 {
		t.Fatalf("operator2 status after a late epoch-1 report: %+v", st2)
	}
	for _, e := range []uint64{1, 2} {
		if _, err := f.q.Attestation(f.ctx, &types.QueryAttestationRequest{Operator: operator2, Epoch: e}); err != nil {
			t.Fatalf("operator2 epoch %d: %v", e, err)
		}
	}
}

func TestSubmitAttestationRejectedByVerification(t *testing.T) {
	cases := []struct {
		name      string
		simulated bool
		params    func(p *types.Params)
		build     func(f *fixture, pki *simPKI) *types.MsgSubmitAttestation
		code      uint32
		log       string
	}{
		{"production chain: simulated chain untrusted", false, nil, func(f *fixture, pki *simPKI) *types.MsgSubmitAttestation {
			return f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)
		}, 2, "CHAIN_UNTRUSTED"},
		{"bound to another operator", true, nil, func(f *fixture, pki *simPKI) *types.MsgSubmitAttestation {
			m := f.boundSubmission(pki, 1, operator2, relayer1, 1, nil)
			m.Operator = operator1
			return m
		}, 6, "REPORT_DATA_MISMATCH"},
		{"bound to another allowlist version", true, nil, func(f *fixture, pki *simPKI) *types.MsgSubmitAttestation {
			m := f.boundSubmission(pki, 1, operator1, relayer1, 0, nil)
			m.AllowlistVersion = 1
			return m
		}, 6, "REPORT_DATA_MISMATCH"},
		{"debug policy", true, nil, func(f *fixture, pki *simPKI) *types.MsgSubmitAttestation {
			return f.boundSubmission(pki, 1, operator1, relayer1, 1, func(r []byte) { r[0x0A] |= 0x08 })
		}, 2, "DEBUG_POLICY"},
		{"measurement not allowed", true, nil, func(f *fixture, pki *simPKI) *types.MsgSubmitAttestation {
			return f.boundSubmission(pki, 1, operator1, relayer1, 1, func(r []byte) { r[0x90] ^= 0xFF })
		}, 2, "MEASUREMENT_NOT_ALLOWED"},
		{"signature broken after signing", true, nil, func(f *fixture, pki *simPKI) *types.MsgSubmitAttestation {
			m := f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)
			m.Report[0x2A0] ^= 1
			return m
		}, 2, "SIGNATURE_INVALID"},
		{"product not allowed", true, func(p *types.Params) { p.AllowedProducts = []string{"Genoa"} }, func(f *fixture, pki *simPKI) *types.MsgSubmitAttestation {
			return f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)
		}, 2, "PRODUCT_MISMATCH"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, pki := acceptFixture(t, c.simulated, c.params)
			f.runTo(11)
			_, err := f.submit(c.build(f, pki))
			mustCode(t, err, "snpattest", c.code)
			if !strings.Contains(err.Error(), c.log) {
				t.Fatalf("log %q does not name %s", err.Error(), c.log)
			}
			if has, _ := f.k.Statuses.Has(f.ctx, operator1); has {
				t.Fatal("a rejected report created a status")
			}
		})
	}
}

func TestTooManySubmissionsInOneBlock(t *testing.T) {
	f, pki := acceptFixture(t, true, func(p *types.Params) { p.MaxSubmissionsPerBlock = 1 })
	f.runTo(11)
	if _, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)); err != nil {
		t.Fatal(err)
	}
	_, err := f.submit(f.boundSubmission(pki, 1, operator2, relayer2, 1, nil))
	mustCode(t, err, "snpattest", 12)
	f.block(12) // a new block resets the count
	if _, err := f.submit(f.boundSubmission(pki, 1, operator2, relayer2, 1, nil)); err != nil {
		t.Fatalf("next block: %v", err)
	}
}

// Measurement revocation → REVOKED immediately; re-adding it and a new submission → ATTESTED again.
// A governance revocation is not lifted by a submission.
func TestRevocationAndRecovery(t *testing.T) {
	f, pki := acceptFixture(t, true, nil)
	meas := pki.template[0x90:0xC0]
	f.runTo(11)
	if _, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)); err != nil {
		t.Fatal(err)
	}
	v1, _ := f.k.AllowlistUpdates.Get(f.ctx, 1)
	v2 := update(2, types.UpdateHash(v1.UpdateBytes), func(u *types.AllowlistUpdate) { u.Add = nil; u.Revoke = [][]byte{meas} })
	f.mustApply(v2)
	st, _ := f.k.Statuses.Get(f.ctx, operator1)
	if st.Status != types.OperatorStatus_STATUS_REVOKED {
		t.Fatalf("after revocation: %v", st.Status)
	}
	f.runTo(21)
	_, err := f.submit(f.boundSubmission(pki, 2, operator1, relayer1, 2, nil))
	mustCode(t, err, "snpattest", 2) // MEASUREMENT_NOT_ALLOWED while revoked
	v3 := update(3, types.UpdateHash(v2), func(u *types.AllowlistUpdate) {
		u.Add = []*types.AllowlistEntry{{Measurement: meas, Label: "re-approved"}}
	})
	f.mustApply(v3)
	resp, err := f.submit(f.boundSubmission(pki, 2, operator1, relayer1, 3, nil))
	if err != nil || resp.Status != types.OperatorStatus_STATUS_ATTESTED {
		t.Fatalf("after re-approval: %+v %v", resp, err)
	}
	if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator1, Reason: "gov"}); err != nil {
		t.Fatal(err)
	}
	f.runTo(31)
	_, err = f.submit(f.boundSubmission(pki, 3, operator1, relayer1, 3, nil))
	mustCode(t, err, "snpattest", 2)
	if !strings.Contains(err.Error(), "OPERATOR_REVOKED") {
		t.Fatal(err)
	}
}
