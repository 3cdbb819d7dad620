package keeper_test

import (
	"strings"
	"testing"

	"github.com/cosmos/cosmos-sdk/types/query"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

func TestGovernanceAuthority(t *testing.T) {
	f := newFixture(t, nil)
	p := testParams()
	msgs := map[string]func(auth string) error{
		"UpdateParams": func(a string) error {
			_, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: a, Params: &p})
			return err
		},
		"SetAllowlistSigners": func(a string) error {
			_, err := f.msg.SetAllowlistSigners(f.ctx, &types.MsgSetAllowlistSigners{Authority: a, Signers: []*types.SignerKey{sigA.key()}, Threshold: 1})
			return err
		},
		"RevokeOperator": func(a string) error {
			_, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: a, Operator: operator1, Reason: "r"})
			return err
		},
		"RestoreOperator": func(a string) error {
			_, err := f.msg.RestoreOperator(f.ctx, &types.MsgRestoreOperator{Authority: a, Operator: operator1})
			return err
		},
	}
	for _, name := range []string{"UpdateParams", "SetAllowlistSigners", "RevokeOperator", "RestoreOperator"} {
		t.Run(name, func(t *testing.T) {
			mustCode(t, msgs[name](relayer1), "snpattest", 10)
			if err := msgs[name](govAddr); err != nil {
				t.Fatalf("gov authority refused: %v", err)
			}
		})
	}
}

func TestSetAllowlistSigners(t *testing.T) {
	bad := newSigner("bad").key()
	bad.Pubkey = append([]byte{2}, bytesOf(0xFF, 32)...) // x ≥ p: not a field element
	cases := []struct {
		name      string
		signers   []*types.SignerKey
		threshold uint32
		ok        bool
	}{
		{"2 of 3", []*types.SignerKey{sigA.key(), sigB.key(), sigC.key()}, 2, true},
		{"threshold 0", []*types.SignerKey{sigA.key()}, 0, false},
		{"threshold above len", []*types.SignerKey{sigA.key()}, 2, false},
		{"duplicate id", []*types.SignerKey{sigA.key(), sigA.key()}, 1, false},
		{"one pubkey under two ids", []*types.SignerKey{sigA.key(), aliasOf(sigA, "a2"), sigB.key()}, 2, false},
		{"uncompressed length", []*types.SignerKey{{KeyId: "u", Pubkey: bytesOf(4, 65)}}, 1, false},
		{"not a point", []*types.SignerKey{bad}, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil)
			_, err := f.msg.SetAllowlistSigners(f.ctx, &types.MsgSetAllowlistSigners{Authority: govAddr, Signers: c.signers, Threshold: c.threshold})
			if !c.ok {
				mustCode(t, err, "snpattest", 11)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.q.AllowlistSigners(f.ctx, &types.QueryAllowlistSignersRequest{})
			if err != nil || r.Threshold != 2 || len(r.Signers) != 3 || r.SetVersion != 1 {
				t.Fatalf("AllowlistSigners = %+v, %v", r, err)
			}
		})
	}
}

func TestRevokeAndRestoreOperator(t *testing.T) {
	f := allowlistFixture(t)
	f.mustApply(update(1, types.ZeroPrevHash, nil))
	f.seedStatus(operator1, measA, nil)
	if _, err := f.msg.RestoreOperator(f.ctx, &types.MsgRestoreOperator{Authority: govAddr, Operator: operator1}); err == nil {
		t.Fatal("restoring an operator that is not revoked succeeded")
	}
	if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator1, Reason: "key leak"}); err != nil {
		t.Fatal(err)
	}
	st, _ := f.k.Statuses.Get(f.ctx, operator1)
	if st.Status != types.OperatorStatus_STATUS_REVOKED || !strings.Contains(st.Reason, "key leak") {
		t.Fatalf("after revoke: %v %q", st.Status, st.Reason)
	}
	// Epoch boundaries do not lift a governance revocation.
	f.runTo(40)
	st, _ = f.k.Statuses.Get(f.ctx, operator1)
	if st.Status != types.OperatorStatus_STATUS_REVOKED {
		t.Fatalf("at epoch 4: %v", st.Status)
	}
	if _, err := f.msg.RestoreOperator(f.ctx, &types.MsgRestoreOperator{Authority: govAddr, Operator: operator1}); err != nil {
		t.Fatal(err)
	}
	st, _ = f.k.Statuses.Get(f.ctx, operator1)
	if st.Status != types.OperatorStatus_STATUS_STALE {
		t.Fatalf("after restore: %v", st.Status)
	}
	if has, _ := f.k.GovernanceRevoked.Has(f.ctx, operator1); has {
		t.Fatal("still marked governance-revoked")
	}
	// An operator with no status yet can be revoked too.
	if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator2, Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	r, err := f.q.OperatorStatus(f.ctx, &types.QueryOperatorStatusRequest{Operator: operator2})
	if err != nil || r.Status.Status != types.OperatorStatus_STATUS_REVOKED {
		t.Fatalf("operator2: %+v %v", r, err)
	}
}

func TestStatusRulesAtEpochBoundaries(t *testing.T) {
	f := allowlistFixture(t)
	f.seedStatus(operator1, measA, nil) // last_epoch 1, valid_until_epoch 3
	for _, c := range []struct {
		height int64
		status types.OperatorStatus_Status
		misses uint32
	}{
		{10, types.OperatorStatus_STATUS_ATTESTED, 0},
		{20, types.OperatorStatus_STATUS_ATTESTED, 0},
		{30, types.OperatorStatus_STATUS_ATTESTED, 1},
		{40, types.OperatorStatus_STATUS_STALE, 2},
		{50, types.OperatorStatus_STATUS_STALE, 3},
	} {
		f.runTo(c.height)
		st, _ := f.k.Statuses.Get(f.ctx, operator1)
		if st.Status != c.status || st.ConsecutiveMisses != c.misses {
			t.Fatalf("height %d: %v misses %d; want %v misses %d", c.height, st.Status, st.ConsecutiveMisses, c.status, c.misses)
		}
		if c.height == 40 && !hasEvent(f, "snpattest.v1.EventOperatorStatusChanged") {
			t.Fatal("no EventOperatorStatusChanged at the STALE transition")
		}
	}
}

func TestUpdateParams(t *testing.T) {
	ark := readSnp(t, "milan_go_vcek.der") // a certificate, but not an ARK
	pki := loadSimPKI(t)
	sim := [][]byte{pki.arkDER, pki.askDER}
	mod := func(m func(p *types.Params)) types.Params { p := testParams(); m(&p); return p }
	cases := []struct {
		name   string
		params types.Params
		ok     bool
	}{
		{"valid", mod(func(p *types.Params) { p.ValidityEpochs = 4 }), true},
		{"epoch_blocks 0", mod(func(p *types.Params) { p.EpochBlocks = 0 }), false},
		{"window above epoch", mod(func(p *types.Params) { p.SubmitWindowBlocks = 11 }), false},
		{"retention 1", mod(func(p *types.Params) { p.NonceRetentionEpochs = 1 }), false},
		{"unknown product", mod(func(p *types.Params) { p.AllowedProducts = []string{"Rome"} }), false},
		{"report version 1", mod(func(p *types.Params) { p.AllowedReportVersions = []uint32{1} }), false},
		{"vmpl 4", mod(func(p *types.Params) { p.AllowedVmpls = []uint32{4} }), false},
		{"max_submissions 0", mod(func(p *types.Params) { p.MaxSubmissionsPerBlock = 0 }), false},
		{"one simulated root", mod(func(p *types.Params) { p.SimulatedRoots = [][]byte{ark} }), false},
		{"simulated roots on a chain that started without", mod(func(p *types.Params) { p.SimulatedRoots = sim }), false},
		{"simulated roots the verifier cannot build", mod(func(p *types.Params) { p.SimulatedRoots = [][]byte{ark, ark} }), false},
		{"roots in reverse order", mod(func(p *types.Params) { p.SimulatedRoots = [][]byte{pki.askDER, pki.arkDER} }), false},
		{"allow_debug on a production chain", mod(func(p *types.Params) { p.AllowDebug = true }), false},
		{"max_attempts_per_block 0", mod(func(p *types.Params) { p.MaxAttemptsPerBlock = 0 }), false},
		{"max_attempts_per_operator_epoch 0", mod(func(p *types.Params) { p.MaxAttemptsPerOperatorEpoch = 0 }), false},
		{"max_operators_per_chip 0", mod(func(p *types.Params) { p.MaxOperatorsPerChip = 0 }), false},
		{"record retention below validity + 2", mod(func(p *types.Params) { p.RecordRetentionEpochs = p.ValidityEpochs + 1 }), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil)
			_, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: govAddr, Params: &c.params})
			if !c.ok {
				mustCode(t, err, "snpattest", 11)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.q.Params(f.ctx, &types.QueryParamsRequest{})
			if err != nil || r.Params.ValidityEpochs != 4 {
				t.Fatalf("Params = %+v %v", r, err)
			}
		})
	}
	// A chain whose genesis had simulated roots may change them.
	gs := types.DefaultGenesis()
	p := testParams()
	p.SimulatedRoots = sim
	gs.Params = &p
	f := newFixture(t, gs)
	p2 := testParams()
	p2.SimulatedRoots = sim
	p2.ValidityEpochs = 5
	if _, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: govAddr, Params: &p2}); err != nil {
		t.Fatalf("devnet chain refused simulated_roots: %v", err)
	}
}

func TestQueryCodes(t *testing.T) {
	f := allowlistFixture(t)
	ctx := f.ctx
	cases := []struct {
		name string
		call func() error
		want codes.Code
	}{
		{"CurrentEpoch before the first", func() error { _, err := f.q.CurrentEpoch(ctx, &types.QueryCurrentEpochRequest{}); return err }, codes.NotFound},
		{"Epoch 0", func() error { _, err := f.q.Epoch(ctx, &types.QueryEpochRequest{}); return err }, codes.InvalidArgument},
		{"Allowlist none", func() error { _, err := f.q.Allowlist(ctx, &types.QueryAllowlistRequest{}); return err }, codes.NotFound},
		{"AllowlistUpdates limit 101", func() error {
			_, err := f.q.AllowlistUpdates(ctx, &types.QueryAllowlistUpdatesRequest{Limit: 101})
			return err
		}, codes.InvalidArgument},
		{"AllowlistUpdates empty", func() error {
			_, err := f.q.AllowlistUpdates(ctx, &types.QueryAllowlistUpdatesRequest{})
			return err
		}, codes.OK},
		{"OperatorStatus bad address", func() error {
			_, err := f.q.OperatorStatus(ctx, &types.QueryOperatorStatusRequest{Operator: relayer1})
			return err
		}, codes.InvalidArgument},
		{"OperatorStatus missing", func() error {
			_, err := f.q.OperatorStatus(ctx, &types.QueryOperatorStatusRequest{Operator: operator1})
			return err
		}, codes.NotFound},
		{"OperatorStatuses bad filter", func() error {
			_, err := f.q.OperatorStatuses(ctx, &types.QueryOperatorStatusesRequest{Status: 7})
			return err
		}, codes.InvalidArgument},
		{"Attestation missing", func() error {
			_, err := f.q.Attestation(ctx, &types.QueryAttestationRequest{Operator: operator1, Epoch: 1})
			return err
		}, codes.NotFound},
		{"Relayer missing", func() error { _, err := f.q.Relayer(ctx, &types.QueryRelayerRequest{Operator: operator1}); return err }, codes.NotFound},
		{"Relayer empty", func() error { _, err := f.q.Relayer(ctx, &types.QueryRelayerRequest{}); return err }, codes.InvalidArgument},
		{"AllowlistSigners", func() error {
			_, err := f.q.AllowlistSigners(ctx, &types.QueryAllowlistSignersRequest{})
			return err
		}, codes.OK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := status.Code(c.call()); got != c.want {
				t.Fatalf("code %v, want %v", got, c.want)
			}
		})
	}
}

func TestOperatorStatusesPagination(t *testing.T) {
	f := allowlistFixture(t)
	f.seedStatus(operator1, measA, nil)
	f.seedStatus(operator2, measB, nil)
	if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator2, Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	page1, err := f.q.OperatorStatuses(f.ctx, &types.QueryOperatorStatusesRequest{Pagination: &query.PageRequest{Limit: 1}})
	if err != nil || len(page1.Statuses) != 1 || len(page1.Pagination.NextKey) == 0 {
		t.Fatalf("page 1: %+v %v", page1, err)
	}
	page2, err := f.q.OperatorStatuses(f.ctx, &types.QueryOperatorStatusesRequest{Pagination: &query.PageRequest{Key: page1.Pagination.NextKey, Limit: 1}})
	if err != nil || len(page2.Statuses) != 1 || page2.Statuses[0].Operator == page1.Statuses[0].Operator {
		t.Fatalf("page 2: %+v %v", page2, err)
	}
	revoked, err := f.q.OperatorStatuses(f.ctx, &types.QueryOperatorStatusesRequest{Status: types.OperatorStatus_STATUS_REVOKED})
	if err != nil || len(revoked.Statuses) != 1 || revoked.Statuses[0].Operator != operator2 {
		t.Fatalf("filter REVOKED: %+v %v", revoked, err)
	}
}
