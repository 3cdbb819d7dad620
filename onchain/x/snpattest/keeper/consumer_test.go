package keeper_test

import (
	"context"
	"errors"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// statusChange is one AfterOperatorStatusChanged call.
type statusChange struct {
	operator string
	from, to types.OperatorStatus_Status
}

// recordingHooks is a consumer module that records what it is told.
type recordingHooks struct{ calls *[]statusChange }

func (r recordingHooks) AfterOperatorStatusChanged(_ context.Context, valAddr sdk.ValAddress, from, to types.OperatorStatus_Status) error {
	op, err := valCodec.BytesToString(valAddr)
	if err != nil {
		return err
	}
	*r.calls = append(*r.calls, statusChange{op, from, to})
	return nil
}

func (f *fixture) power() *types.QueryAttestedPowerResponse {
	f.t.Helper()
	p, err := f.q.AttestedPower(f.ctx, &types.QueryAttestedPowerRequest{})
	if err != nil {
		f.t.Fatalf("AttestedPower: %v", err)
	}
	return p
}

func (f *fixture) isAttested(op string) bool {
	f.t.Helper()
	addr, err := valCodec.StringToBytes(op)
	if err != nil {
		f.t.Fatal(err)
	}
	ok, err := f.k.IsAttested(f.ctx, addr)
	if err != nil {
		f.t.Fatalf("IsAttested(%s): %v", op, err)
	}
	return ok
}

// The consumer API follows the status: IsAttested, the attested share of bonded tokens, the hooks and
// the statuses filter all change when operator1 attests and again when its attestation goes stale.
func TestConsumerAPIFollowsStatus(t *testing.T) {
	f, pki := acceptFixture(t, true, nil)
	var calls []statusChange
	f.k.SetHooks(types.MultiSnpattestHooks{recordingHooks{&calls}})
	f.runTo(11)
	if f.isAttested(operator1) || f.isAttested(operator2) {
		t.Fatal("attested before any submission")
	}
	if p := f.power(); p.BondedValidators != 2 || p.AttestedValidators != 0 || p.BondedTokens != "400" ||
		p.AttestedTokens != "0" || p.AttestedShare != "0.000000000000000000" {
		t.Fatalf("power before: %+v", p)
	}
	if _, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)); err != nil {
		t.Fatal(err)
	}
	if !f.isAttested(operator1) || f.isAttested(operator2) {
		t.Fatal("IsAttested after operator1's acceptance")
	}
	if p := f.power(); p.AttestedValidators != 1 || p.AttestedTokens != "300" || p.AttestedShare != "0.750000000000000000" {
		t.Fatalf("power after: %+v", p)
	}
	if len(calls) != 1 || calls[0] != (statusChange{operator1, types.OperatorStatus_STATUS_UNSPECIFIED, types.OperatorStatus_STATUS_ATTESTED}) {
		t.Fatalf("hook calls %+v", calls)
	}
	attested, err := f.q.OperatorStatuses(f.ctx, &types.QueryOperatorStatusesRequest{Status: types.OperatorStatus_STATUS_ATTESTED})
	if err != nil || len(attested.Statuses) != 1 || attested.Statuses[0].Operator != operator1 {
		t.Fatalf("ATTESTED filter %+v %v", attested, err)
	}
	// valid_until_epoch is 3: the start of epoch 4 (height 41) turns it STALE.
	f.runTo(41)
	if f.isAttested(operator1) {
		t.Fatal("still attested after valid_until_epoch")
	}
	if p := f.power(); p.AttestedValidators != 0 || p.AttestedTokens != "0" {
		t.Fatalf("power after expiry: %+v", p)
	}
	if len(calls) != 2 || calls[1] != (statusChange{operator1, types.OperatorStatus_STATUS_ATTESTED, types.OperatorStatus_STATUS_STALE}) {
		t.Fatalf("hook calls %+v", calls)
	}
	stale, err := f.q.OperatorStatuses(f.ctx, &types.QueryOperatorStatusesRequest{Status: types.OperatorStatus_STATUS_STALE})
	if err != nil || len(stale.Statuses) != 1 || stale.Statuses[0].Operator != operator1 {
		t.Fatalf("STALE filter %+v %v", stale, err)
	}
}

// A consumer hook's error aborts the transition that caused it: the submission fails.
func TestConsumerHookErrorAbortsTransition(t *testing.T) {
	f, pki := acceptFixture(t, true, nil)
	f.k.SetHooks(failingHooks{})
	f.runTo(11)
	if _, err := f.submit(f.boundSubmission(pki, 1, operator1, relayer1, 1, nil)); err == nil {
		t.Fatal("accepted although the hook failed")
	}
}

type failingHooks struct{}

func (failingHooks) AfterOperatorStatusChanged(context.Context, sdk.ValAddress, types.OperatorStatus_Status, types.OperatorStatus_Status) error {
	return errors.New("consumer refused")
}
