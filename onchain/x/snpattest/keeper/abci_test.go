package keeper_test

import (
	"bytes"
	"testing"

	"cosmossdk.io/core/header"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

func TestEpochBoundariesAndNonce(t *testing.T) {
	f := newFixture(t, nil)
	// Before the first epoch: CurrentEpoch is NotFound and names height 10.
	f.runTo(9)
	_, err := f.q.CurrentEpoch(f.ctx, &types.QueryCurrentEpochRequest{})
	if status.Code(err) != codes.NotFound || !bytes.Contains([]byte(err.Error()), []byte("height 10")) {
		t.Fatalf("before first epoch: %v", err)
	}
	cases := []struct {
		height    int64
		wantEpoch uint64
		starts    bool
	}{
		{10, 1, true}, {11, 1, false}, {19, 1, false}, {20, 2, true}, {30, 3, true}, {40, 4, true}, {50, 5, true},
	}
	for _, c := range cases {
		f.runTo(c.height)
		cur, err := f.k.CurrentEpoch.Get(f.ctx)
		if err != nil || cur != c.wantEpoch {
			t.Fatalf("height %d: current epoch %d (%v), want %d", c.height, cur, err, c.wantEpoch)
		}
		if got := hasEvent(f, "snpattest.v1.EventEpochStarted"); got != c.starts {
			t.Fatalf("height %d: EventEpochStarted emitted = %t, want %t", c.height, got, c.starts)
		}
		ep, err := f.k.Epochs.Get(f.ctx, c.wantEpoch)
		if err != nil {
			t.Fatal(err)
		}
		start := int64(c.wantEpoch * 10)
		// The nonce hashes the stored hash of block start-1, i.e. the previous block hash.
		want := types.EpochNonce(chainID, c.wantEpoch, blockHash(start-1))
		if !bytes.Equal(ep.Nonce, want) || ep.StartHeight != start || ep.DeadlineHeight != start+5 {
			t.Fatalf("epoch %d = %+v; want nonce %x start %d deadline %d", c.wantEpoch, ep, want, start, start+5)
		}
		resp, err := f.q.CurrentEpoch(f.ctx, &types.QueryCurrentEpochRequest{})
		if err != nil {
			t.Fatal(err)
		}
		wantRemaining := start + 5 - c.height
		if wantRemaining < 0 {
			wantRemaining = 0
		}
		if resp.BlocksRemaining != wantRemaining {
			t.Fatalf("height %d: blocks_remaining %d want %d", c.height, resp.BlocksRemaining, wantRemaining)
		}
	}
	// Retention 3: epochs 3, 4, 5 remain; 1 and 2 are pruned (NotFound).
	for e, want := range map[uint64]codes.Code{1: codes.NotFound, 2: codes.NotFound, 3: codes.OK, 5: codes.OK, 6: codes.NotFound, 0: codes.InvalidArgument} {
		_, err := f.q.Epoch(f.ctx, &types.QueryEpochRequest{Epoch: e})
		if status.Code(err) != want {
			t.Errorf("Epoch(%d): %v, want %v", e, err, want)
		}
	}
	// The hash ring keeps only the last two heights.
	if has, _ := f.k.BlockHashes.Has(f.ctx, 47); has {
		t.Error("block hash of height 47 not pruned at 50")
	}
	if has, _ := f.k.BlockHashes.Has(f.ctx, 49); !has {
		t.Error("block hash of height 49 missing at 50")
	}
}

// A BeginBlock whose HeaderInfo carries no hash (never in FinalizeBlock; a module added by an upgrade
// at this height) stores nothing, and the next epoch's nonce then hashes an empty previous hash.
func TestBeginBlockWithoutHash(t *testing.T) {
	f := newFixture(t, nil)
	f.runTo(8)
	f.ctx = f.ctx.WithBlockHeight(9).WithHeaderInfo(header.Info{Height: 9, ChainID: chainID})
	if err := f.k.BeginBlock(f.ctx); err != nil {
		t.Fatal(err)
	}
	if has, _ := f.k.BlockHashes.Has(f.ctx, 9); has {
		t.Fatal("an empty hash was stored")
	}
	f.block(10)
	ep, err := f.k.Epochs.Get(f.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ep.Nonce, types.EpochNonce(chainID, 1, nil)) {
		t.Fatalf("nonce %x", ep.Nonce)
	}
}

// Raising epoch_blocks makes h/epoch_blocks smaller than the current epoch: epoch numbers never go back.
func TestEpochNumbersNeverGoBack(t *testing.T) {
	f := newFixture(t, nil)
	f.runTo(30) // epoch 3
	p := testParams()
	p.EpochBlocks = 20
	p.SubmitWindowBlocks = 5
	if _, err := f.msg.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: govAddr, Params: &p}); err != nil {
		t.Fatal(err)
	}
	f.runTo(60) // 40/20 = 2 and 60/20 = 3: not after 3, no new epoch
	if cur, _ := f.k.CurrentEpoch.Get(f.ctx); cur != 3 {
		t.Fatalf("current epoch %d, want 3", cur)
	}
	f.runTo(80) // 80/20 = 4
	if cur, _ := f.k.CurrentEpoch.Get(f.ctx); cur != 4 {
		t.Fatalf("current epoch %d, want 4", cur)
	}
}
