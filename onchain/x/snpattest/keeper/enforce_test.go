package keeper_test

import (
	"testing"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

func jailAfter(n uint32) func(p *types.Params) {
	return func(p *types.Params) { p.Enforcement, p.JailAfterEpochs = types.EnforcementJail, n }
}

func (f *fixture) jails() []string { return append([]string(nil), *f.staking.jails...) }

func (f *fixture) wantJails(want ...string) {
	f.t.Helper()
	got := f.jails()
	if len(got) != len(want) {
		f.t.Fatalf("height %d: jails %v, want %v", f.ctx.BlockHeight(), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			f.t.Fatalf("height %d: jails %v, want %v", f.ctx.BlockHeight(), got, want)
		}
	}
}

// enforcement "none" (the default) never jails, however long nobody attests.
func TestEnforcementNoneNeverJails(t *testing.T) {
	f, _ := acceptFixture(t, true, nil)
	if p, _ := f.k.Params.Get(f.ctx); p.Enforcement != types.EnforcementNone {
		t.Fatalf("default enforcement %q", p.Enforcement)
	}
	f.runTo(200)
	f.wantJails()
}

// With jail_after_epochs 2 and 10-block epochs, enforcement applies from the first epoch start
// (height 10): operator2, never attesting, is jailed at the start of epoch 3 (height 30) — after two
// full epochs — once, with the reason event; operator1 (3/4 of the bonded tokens) is due too but
// deferred every time, since jailing it would remove more than 1/3 of the bonded tokens in one block.
// An unjail without an attestation does not stick (jailed again at the next epoch start); after
// operator2's relayer attests, the unjail sticks.
func TestEnforcementJailsAfterFullEpochsOnceWithinOneThird(t *testing.T) {
	f, pki := acceptFixture(t, true, jailAfter(2))
	f.runTo(29)
	f.wantJails()
	f.runTo(30)
	f.wantJails(operator2)
	if !hasEvent(f, "snpattest.v1.EventOperatorJailed") || !hasEvent(f, "snpattest.v1.EventOperatorJailDeferred") {
		t.Fatalf("events at the jailing epoch start: %v", f.eventTypes())
	}
	f.runTo(49)
	f.wantJails(operator2) // exactly once: a jailed validator is not jailed again

	// MsgUnjail without a current attestation: jailed again at the next epoch start.
	f.staking.jailed[operator2] = false
	f.runTo(50)
	f.wantJails(operator2, operator2)

	// Its relayer attests (allowed while jailed), then it unjails: that sticks.
	f.block(51)
	if _, err := f.submit(f.boundSubmission(pki, 5, operator2, relayer2, 1, nil)); err != nil {
		t.Fatalf("attesting while jailed: %v", err)
	}
	f.staking.jailed[operator2] = false
	f.runTo(79)
	f.wantJails(operator2, operator2)
	if n, err := f.k.EnforcementStreaks.Get(f.ctx, operator2); err != nil || n != 0 {
		t.Fatalf("operator2's streak while ATTESTED: %d %v", n, err)
	}
	// Its epoch-5 attestation is valid through epoch 7; STALE from 80, it has two full epochs again.
	f.runTo(89)
	f.wantJails(operator2, operator2)
	f.runTo(90)
	f.wantJails(operator2, operator2, operator2)
	// operator1 never attested and was never jailed (always over the 1/3 budget).
	for _, op := range f.jails() {
		if op == operator1 {
			t.Fatal("operator1 jailed: more than 1/3 of the bonded tokens in one block")
		}
	}
}

// Switching enforcement on later gives every validator jail_after_epochs full epochs from the first
// epoch start under "jail", whatever happened before.
func TestEnforcementSwitchedOnGivesAFullWindow(t *testing.T) {
	f, _ := acceptFixture(t, true, nil)
	f.runTo(55)
	p, _ := f.k.Params.Get(f.ctx)
	jailAfter(2)(&p)
	if err := f.k.Params.Set(f.ctx, p); err != nil {
		t.Fatal(err)
	}
	f.runTo(79) // 60: applies from here; 70: streak 1
	f.wantJails()
	f.runTo(80)
	f.wantJails(operator2)
}

func TestEnforcementParamsValidate(t *testing.T) {
	p := types.DefaultParams()
	for _, c := range []struct {
		enforcement string
		after       uint32
		ok          bool
	}{{"none", 0, true}, {"", 0, true}, {"jail", 1, true}, {"jail", 0, false}, {"slash", 3, false}} {
		p.Enforcement, p.JailAfterEpochs = c.enforcement, c.after
		if err := p.Validate(); (err == nil) != c.ok {
			t.Errorf("enforcement %q jail_after_epochs %d: %v", c.enforcement, c.after, err)
		}
	}
}
