package keeper_test

import (
	"bytes"
	"fmt"
	"testing"

	"cosmossdk.io/collections"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Issue 20, order of events. The status of an operator is carried by one accepted record (README
// "Status in any order"); this test runs every ordered pair of the events below from the same start
// (epoch 2's window open, epoch 1 still accepted as the previous epoch, measurements M1 and M2
// allowlisted) and compares the chain with a reference model of that rule, then starts epoch 3 (where
// entry expiry takes effect) and compares again. Invariants checked after every step: a status naming
// a measurement is in the measurement index under exactly that measurement, and an ATTESTED status
// names an allowlisted measurement of one of its own accepted records.
var (
	orderM1 = bytesOf(0x11, 48)
	orderM2 = bytesOf(0x22, 48)
)

type orderEvent string

const (
	evAcceptPrev   orderEvent = "accept(e-1,M1)"
	evAcceptCur    orderEvent = "accept(e,M2)"
	evRevokeM1     orderEvent = "revoke(M1)"
	evRevokeM2     orderEvent = "revoke(M2)"
	evMinTcbRaise  orderEvent = "min_tcb-raise"
	evGovRevoke    orderEvent = "gov-revoke"
	evGovRestore   orderEvent = "gov-restore"
	evEntryExpires orderEvent = "entries-expire"
)

var orderEvents = []orderEvent{evAcceptPrev, evAcceptCur, evRevokeM1, evRevokeM2, evMinTcbRaise, evGovRevoke, evGovRestore, evEntryExpires}

// orderModel is the rule, written independently of the keeper.
type orderModel struct {
	status     types.OperatorStatus_Status
	carryEpoch uint64
	carryMeas  []byte
	gov, tcb   bool
	revoked    map[string]bool
	expired    map[string]bool
	records    map[uint64]bool
}

func (m *orderModel) accept(e uint64, meas []byte) bool {
	if m.gov || m.tcb || m.revoked[string(meas)] || m.expired[string(meas)] || m.records[e] {
		return false
	}
	m.records[e] = true
	if m.status != types.OperatorStatus_STATUS_ATTESTED || e >= m.carryEpoch {
		m.carryEpoch, m.carryMeas = e, meas
	}
	m.status = types.OperatorStatus_STATUS_ATTESTED
	return true
}

func (m *orderModel) apply(ev orderEvent) {
	switch ev {
	case evAcceptPrev:
		m.accept(1, orderM1)
	case evAcceptCur:
		m.accept(2, orderM2)
	case evRevokeM1, evRevokeM2:
		meas := orderM1
		if ev == evRevokeM2 {
			meas = orderM2
		}
		m.revoked[string(meas)] = true
		if m.status != types.OperatorStatus_STATUS_REVOKED && m.status != types.OperatorStatus_STATUS_UNSPECIFIED && bytes.Equal(m.carryMeas, meas) {
			m.status = types.OperatorStatus_STATUS_REVOKED
		}
	case evMinTcbRaise:
		m.tcb = true
		if m.status == types.OperatorStatus_STATUS_ATTESTED {
			m.status = types.OperatorStatus_STATUS_STALE
		}
	case evGovRevoke:
		m.gov, m.status = true, types.OperatorStatus_STATUS_REVOKED
	case evGovRestore:
		if m.gov {
			m.gov, m.status = false, types.OperatorStatus_STATUS_STALE
		}
	case evEntryExpires:
		for _, meas := range [][]byte{orderM1, orderM2} {
			if !m.revoked[string(meas)] {
				m.expired[string(meas)] = true
			}
		}
	}
}

// epochStart: entry expiry reaches ATTESTED statuses (validity still covers epoch 3).
func (m *orderModel) epochStart() {
	if m.status == types.OperatorStatus_STATUS_ATTESTED && m.expired[string(m.carryMeas)] {
		m.status = types.OperatorStatus_STATUS_STALE
	}
}

// orderChain drives the keeper through the same events.
type orderChain struct {
	f   *fixture
	pki *simPKI
}

func (c *orderChain) nextUpdate(mut func(u *types.AllowlistUpdate)) {
	f := c.f
	v, _ := f.k.AllowlistVersion.Get(f.ctx)
	rec, err := f.k.AllowlistUpdates.Get(f.ctx, v)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mustApply(update(v+1, types.UpdateHash(rec.UpdateBytes), func(u *types.AllowlistUpdate) { u.Add = nil; mut(u) }))
}

func (c *orderChain) submit(e uint64, meas []byte) error {
	f := c.f
	v, _ := f.k.AllowlistVersion.Get(f.ctx)
	msg := f.boundSubmission(c.pki, e, operator1, relayer1, v, func(r []byte) { copy(r[0x90:0xC0], meas) })
	_, err := f.submit(msg)
	return err
}

func (c *orderChain) apply(ev orderEvent) {
	f := c.f
	f.block(f.ctx.BlockHeight() + 1)
	switch ev {
	case evAcceptPrev:
		_ = c.submit(1, orderM1) // refusals are part of the outcome (compared through the state)
	case evAcceptCur:
		_ = c.submit(2, orderM2)
	case evRevokeM1:
		c.nextUpdate(func(u *types.AllowlistUpdate) { u.Revoke = [][]byte{orderM1} })
	case evRevokeM2:
		c.nextUpdate(func(u *types.AllowlistUpdate) { u.Revoke = [][]byte{orderM2} })
	case evMinTcbRaise:
		c.nextUpdate(func(u *types.AllowlistUpdate) {
			u.MinTcb = []*types.ProductTcb{{Product: "Milan", BootLoader: 255, Tee: 255, Snp: 255, Microcode: 255}}
		})
	case evGovRevoke:
		if _, err := f.msg.RevokeOperator(f.ctx, &types.MsgRevokeOperator{Authority: govAddr, Operator: operator1, Reason: "pair test"}); err != nil {
			f.t.Fatal(err)
		}
	case evGovRestore:
		_, _ = f.msg.RestoreOperator(f.ctx, &types.MsgRestoreOperator{Authority: govAddr, Operator: operator1})
	case evEntryExpires:
		h := f.ctx.BlockHeight()
		c.nextUpdate(func(u *types.AllowlistUpdate) {
			for _, meas := range [][]byte{orderM1, orderM2} {
				if has, _ := f.k.Entries.Has(f.ctx, meas); has {
					u.Add = append(u.Add, &types.AllowlistEntry{Measurement: meas, Label: "expiring", ExpiryHeight: h + 1})
				}
			}
		})
	}
}

func (c *orderChain) check(t *testing.T, m *orderModel, when string) {
	t.Helper()
	f := c.f
	st, err := f.k.Statuses.Get(f.ctx, operator1)
	if err != nil && m.status != types.OperatorStatus_STATUS_UNSPECIFIED {
		t.Fatalf("%s: no status, model %v", when, m.status)
	}
	if st.Status != m.status {
		t.Fatalf("%s: status %v, model %v (reason %q)", when, st.Status, m.status, st.Reason)
	}
	if m.carryMeas != nil && (!bytes.Equal(st.Measurement, m.carryMeas) || st.LastEpoch != m.carryEpoch) {
		t.Fatalf("%s: status carries (epoch %d, %x), model (epoch %d, %x)", when, st.LastEpoch, st.Measurement[:1], m.carryEpoch, m.carryMeas[:1])
	}
	it, err := f.k.MeasurementIndex.Iterate(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := it.Keys()
	var mine [][]byte
	for _, k := range keys {
		if k.K2() == operator1 {
			mine = append(mine, k.K1())
		}
	}
	if len(st.Measurement) > 0 && (len(mine) != 1 || !bytes.Equal(mine[0], st.Measurement)) {
		t.Fatalf("%s: index holds %d entries for the operator, want exactly its status measurement", when, len(mine))
	}
	if st.Status == types.OperatorStatus_STATUS_ATTESTED {
		if has, _ := f.k.Entries.Has(f.ctx, st.Measurement); !has {
			t.Fatalf("%s: ATTESTED on a measurement that is not allowlisted", when)
		}
		rec, err := f.k.Attestations.Get(f.ctx, collections.Join(operator1, st.LastEpoch))
		if err != nil || !bytes.Equal(rec.Measurement, st.Measurement) {
			t.Fatalf("%s: ATTESTED status is not its record of epoch %d: %v", when, st.LastEpoch, err)
		}
	}
}

func TestStatusEveryPairOfEvents(t *testing.T) {
	// Each pair runs from a fresh operator and from one already ATTESTED by accept(e,M2).
	for _, start := range [][]orderEvent{nil, {evAcceptCur}} {
		for _, p := range orderEvents {
			for _, q := range orderEvents {
				runOrderPair(t, start, p, q)
			}
		}
	}
}

func runOrderPair(t *testing.T, start []orderEvent, p, q orderEvent) {
	t.Run(fmt.Sprintf("%v_%s_then_%s", start, p, q), func(t *testing.T) {
		f, pki := acceptFixture(t, true, nil)
		f.runTo(3)
		c := &orderChain{f: f, pki: pki}
		c.nextUpdate(func(u *types.AllowlistUpdate) {
			u.Add = []*types.AllowlistEntry{{Measurement: orderM1, Label: "M1"}, {Measurement: orderM2, Label: "M2"}}
		})
		f.runTo(20) // epoch 2 starts; its window ends at 25; epoch 1 is the previous epoch
		m := &orderModel{revoked: map[string]bool{}, expired: map[string]bool{}, records: map[uint64]bool{}}
		for _, ev := range append(append([]orderEvent{}, start...), p, q) {
			c.apply(ev)
			m.apply(ev)
			c.check(t, m, "after "+string(ev))
		}
		f.runTo(30)
		m.epochStart()
		c.check(t, m, "at the start of epoch 3")
	})
}

// The finding itself: the measurement actually attested (M2, epoch 2) is revoked, then the late
// previous-epoch report (M1) lands; the status must now name M1, so revoking M1 revokes the operator.
func TestLatePreviousEpochCarriesItsMeasurement(t *testing.T) {
	f, pki := acceptFixture(t, true, nil)
	f.runTo(3)
	c := &orderChain{f: f, pki: pki}
	c.nextUpdate(func(u *types.AllowlistUpdate) {
		u.Add = []*types.AllowlistEntry{{Measurement: orderM1, Label: "M1"}, {Measurement: orderM2, Label: "M2"}}
	})
	f.runTo(20)
	for _, ev := range []orderEvent{evAcceptCur, evRevokeM2, evAcceptPrev, evRevokeM1} {
		c.apply(ev)
	}
	st, _ := f.k.Statuses.Get(f.ctx, operator1)
	if st.Status != types.OperatorStatus_STATUS_REVOKED || !bytes.Equal(st.Measurement, orderM1) {
		t.Fatalf("after revoking M1 the operator is %v naming %x, want REVOKED naming M1", st.Status, st.Measurement[:1])
	}
}
