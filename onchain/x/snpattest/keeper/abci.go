package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// BeginBlock keeps the block-hash ring, clears the previous block's submission counter and, at an
// epoch boundary, starts the epoch. It runs only in FinalizeBlock, where HeaderInfo().Hash is the
// hash of the block being executed (cosmos-sdk v0.53 baseapp sets it only there): stored at height h,
// it is the previous block hash when block h+1 runs.
func (k Keeper) BeginBlock(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if err := k.Submissions.Remove(ctx, h-1); err != nil {
		return err
	}
	if err := k.BlockAttempts.Remove(ctx, h-1); err != nil {
		return err
	}
	if h > 0 && uint64(h)%params.EpochBlocks == 0 {
		if err := k.startEpoch(sdkCtx, params, uint64(h)/params.EpochBlocks); err != nil {
			return err
		}
	}
	if err := k.pruneRecords(sdkCtx, params); err != nil {
		return err
	}
	if hash := sdkCtx.HeaderInfo().Hash; len(hash) > 0 {
		if err := k.BlockHashes.Set(ctx, h, hash); err != nil {
			return err
		}
	}
	return k.BlockHashes.Remove(ctx, h-2)
}

// startEpoch starts epoch e at the current height, unless e is not after the current epoch (possible
// only after MsgUpdateParams raised epoch_blocks: epoch numbers never go back, so the chain waits
// until h/epoch_blocks passes the current epoch).
func (k Keeper) startEpoch(ctx sdk.Context, params types.Params, e uint64) error {
	cur, err := k.CurrentEpoch.Get(ctx)
	switch {
	case err == nil:
		if e <= cur {
			return nil
		}
	case errors.Is(err, collections.ErrNotFound):
	default:
		return err
	}
	h := ctx.BlockHeight()
	// Missing only for block 1 (no previous block) or when the module was added at this height:
	// the nonce then hashes an empty previous_block_hash.
	prev, err := k.BlockHashes.Get(ctx, h-1)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	version, err := k.currentAllowlistVersion(ctx)
	if err != nil {
		return err
	}
	ep := types.NonceEpoch{
		Epoch:            e,
		Nonce:            types.EpochNonce(ctx.ChainID(), e, prev),
		StartHeight:      h,
		DeadlineHeight:   h + int64(params.SubmitWindowBlocks),
		AllowlistVersion: version,
	}
	if err := k.Epochs.Set(ctx, e, ep); err != nil {
		return err
	}
	if err := k.CurrentEpoch.Set(ctx, e); err != nil {
		return err
	}
	if err := ctx.EventManager().EmitTypedEvent(&types.EventEpochStarted{
		Epoch: e, Nonce: ep.Nonce, StartHeight: ep.StartHeight, DeadlineHeight: ep.DeadlineHeight,
	}); err != nil {
		return err
	}
	if err := k.pruneEpochs(ctx, e, params.NonceRetentionEpochs); err != nil {
		return err
	}
	if err := k.applyEpochStatusRules(ctx, e); err != nil {
		return err
	}
	return k.enforce(ctx, params, e)
}

// pruneEpochs keeps epochs e-retention+1 .. e.
func (k Keeper) pruneEpochs(ctx sdk.Context, e uint64, retention uint32) error {
	if e < uint64(retention) {
		return nil
	}
	cutoff := e - uint64(retention) + 1
	it, err := k.Epochs.Iterate(ctx, new(collections.Range[uint64]).EndExclusive(cutoff))
	if err != nil {
		return err
	}
	keys, err := it.Keys()
	if err != nil {
		return err
	}
	for _, old := range keys {
		if err := k.Epochs.Remove(ctx, old); err != nil {
			return err
		}
	}
	// Attempt counters of epochs that can no longer be submitted for (at most one epoch's worth
	// per call, since this runs at every epoch start).
	return k.Attempts.Clear(ctx, new(collections.Range[collections.Pair[uint64, string]]).EndExclusive(collections.Join(cutoff, "")))
}

func (k Keeper) currentAllowlistVersion(ctx context.Context) (uint64, error) {
	v, err := k.AllowlistVersion.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return v, err
}
