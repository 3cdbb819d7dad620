package keeper_test

import (
	"strings"
	"testing"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// aliasOf is signer s's public key under another key id.
func aliasOf(s signer, id string) *types.SignerKey {
	return &types.SignerKey{KeyId: id, Pubkey: s.priv.PubKey().Bytes()}
}

// Issue 20, signer set: one pubkey under two key ids let one signature count twice. Refused in
// MsgSetAllowlistSigners and in genesis with DUPLICATE_PUBKEY (code 11).
func TestSignerSetDuplicatePubkeyRefused(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.msg.SetAllowlistSigners(f.ctx, &types.MsgSetAllowlistSigners{Authority: govAddr,
		Signers: []*types.SignerKey{sigA.key(), aliasOf(sigA, "a-again"), sigB.key()}, Threshold: 2})
	mustCode(t, err, "snpattest", 11)
	if !strings.Contains(err.Error(), "DUPLICATE_PUBKEY") {
		t.Fatalf("log does not name DUPLICATE_PUBKEY: %v", err)
	}
	gs := types.DefaultGenesis()
	gs.Signers = []*types.SignerKey{sigA.key(), aliasOf(sigA, "a-again")}
	gs.Threshold = 2
	if err := gs.Validate(); err == nil || !strings.Contains(err.Error(), "DUPLICATE_PUBKEY") {
		t.Fatalf("genesis with one key under two ids: %v", err)
	}
}

// A signer set stored before the rule (a ConsensusVersion 1 state) may still name one key twice:
// the key counts once, so its two signatures do not meet a threshold of 2.
func TestStoredDuplicatePubkeyCountsOnce(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.k.Signers.Set(f.ctx, types.AllowlistSignerSet{
		Signers: []*types.SignerKey{sigA.key(), aliasOf(sigA, "a-again"), sigB.key()}, Threshold: 2}); err != nil {
		t.Fatal(err)
	}
	f.runTo(3)
	ub := update(1, types.ZeroPrevHash, nil)
	twice := sigA.sign(t, ub)
	again := &types.AllowlistSignature{KeyId: "a-again", Signature: twice.Signature}
	err := f.applyUpdate(ub, twice, again)
	mustCode(t, err, "snpattest", 7)
	if !strings.Contains(err.Error(), "1 of 2") {
		t.Fatalf("log: %v", err)
	}
	if err := f.applyUpdate(ub, twice, sigB.sign(t, ub)); err != nil {
		t.Fatalf("two distinct keys refused: %v", err)
	}
}
