package keeper_test

import (
	"strings"
	"testing"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Issue 20, address aliases: an all-upper-case spelling decodes to the same bytes (and the SDK derives
// the same signer from it). Every message refuses it with sdk code 7 naming the canonical text, so no
// second binding, slot, status or revocation can exist; queries resolve it to the one canonical entry.
func TestAddressAliasesRefusedOrResolved(t *testing.T) {
	f, pki := acceptFixture(t, true, nil)
	opAlias, relAlias, govAlias := strings.ToUpper(operator1), strings.ToUpper(relayer1), strings.ToUpper(govAddr)
	refused := func(name string, err error, canon string) {
		t.Helper()
		mustCode(t, err, "sdk", 7)
		if !strings.Contains(err.Error(), "not in canonical form") || !strings.Contains(err.Error(), canon) {
			t.Fatalf("%s: log does not name the canonical form %s: %v", name, canon, err)
		}
	}
	_, err := f.msg.SetRelayer(f.ctx, &types.MsgSetRelayer{Operator: opAlias, Relayer: relayer2})
	refused("SetRelayer operator alias", err, operator1)
	_, err = f.msg.SetRelayer(f.ctx, &types.MsgSetRelayer{Operator: operator1, Relayer: relAlias})
	refused("SetRelayer relayer alias", err, relayer1)
	_, err = f.msg.UpdateAllowlist(f.ctx, &types.MsgUpdateAllowlist{Submitter: relAlias})
	refused("UpdateAllowlist submitter alias", err, relayer1)
	_, err = f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: opAlias, Reason: "r"})
	refused("RevokeOperator operator alias", err, operator1)
	_, err = f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAlias, Operator: operator1, Reason: "r"})
	refused("RevokeOperator authority alias", err, govAddr)
	_, err = f.msg.RestoreOperator(f.ctx, &types.MsgRestoreOperator{Authority: govAddr, Operator: opAlias})
	refused("RestoreOperator operator alias", err, operator1)

	f.runTo(11)
	// A report bound to the alias text, sent under the alias: refused before any state or gas.
	msg := f.boundSubmission(pki, 1, opAlias, relayer1, 1, nil)
	_, err = f.submit(msg)
	refused("SubmitAttestation operator alias", err, operator1)
	msg = f.boundSubmission(pki, 1, operator1, relAlias, 1, nil)
	_, err = f.submit(msg)
	refused("SubmitAttestation relayer alias", err, relayer1)
	if has, _ := f.k.Statuses.Has(f.ctx, opAlias); has {
		t.Fatal("an alias status exists")
	}
	// The canonical submission lands; a query under the alias finds it.
	if _, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)); err != nil {
		t.Fatal(err)
	}
	r, err := f.q.OperatorStatus(f.ctx, &types.QueryOperatorStatusRequest{Operator: opAlias})
	if err != nil || r.Status.Operator != operator1 || r.Status.Status != types.OperatorStatus_STATUS_ATTESTED {
		t.Fatalf("query under the alias: %+v %v", r, err)
	}
	if _, err := f.q.Attestation(f.ctx, &types.QueryAttestationRequest{Operator: opAlias, Epoch: 1}); err != nil {
		t.Fatalf("record query under the alias: %v", err)
	}
	if rr, err := f.q.Relayer(f.ctx, &types.QueryRelayerRequest{Operator: opAlias}); err != nil || rr.Relayer != relayer1 {
		t.Fatalf("relayer query under the alias: %+v %v", rr, err)
	}
	// Genesis refuses alias keys too.
	gs := types.DefaultGenesis()
	gs.Relayers = []*types.RelayerBinding{{Operator: opAlias, Relayer: relayer1}}
	if err := gs.Validate(); err == nil || !strings.Contains(err.Error(), "canonical") {
		t.Fatalf("genesis with an alias operator: %v", err)
	}
	gs.Relayers = nil
	gs.GovernanceRevoked = []string{opAlias}
	if err := gs.Validate(); err == nil || !strings.Contains(err.Error(), "canonical") {
		t.Fatalf("genesis with an alias revocation: %v", err)
	}
}
