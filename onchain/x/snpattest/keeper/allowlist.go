package keeper

import (
	"bytes"
	"context"
	"errors"
	"sort"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// signerSet returns the current signer set (empty with threshold 0 when none was ever set).
func (k Keeper) signerSet(ctx context.Context) (types.AllowlistSignerSet, error) {
	s, err := k.Signers.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return types.AllowlistSignerSet{}, nil
	}
	return s, err
}

// checkAllowlistUpdate applies every rule of MsgUpdateAllowlist except the signatures' effect on
// state: strict decoding, chain_id (9), expiry (9), version = current+1 and prev_hash (8), signatures
// against the current signer set (7, 10). It returns the decoded update and the valid signer ids.
func (k Keeper) checkAllowlistUpdate(ctx sdk.Context, updateBytes []byte, sigs []*types.AllowlistSignature) (*types.AllowlistUpdate, []string, error) {
	u, err := types.DecodeAllowlistUpdate(updateBytes)
	if err != nil {
		return nil, nil, err
	}
	if u.ChainId != ctx.ChainID() {
		return nil, nil, errorsmod.Wrapf(types.ErrAllowlistExpired, "update is for chain %q, this chain is %q", u.ChainId, ctx.ChainID())
	}
	if u.ValidUntilHeight != 0 && ctx.BlockHeight() > u.ValidUntilHeight {
		return nil, nil, errorsmod.Wrapf(types.ErrAllowlistExpired, "update valid until height %d, now %d", u.ValidUntilHeight, ctx.BlockHeight())
	}
	cur, err := k.currentAllowlistVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	if u.Version != cur+1 {
		return nil, nil, errorsmod.Wrapf(types.ErrAllowlistSequence, "update version %d, want %d (current %d)", u.Version, cur+1, cur)
	}
	want := types.ZeroPrevHash
	if cur > 0 {
		rec, err := k.AllowlistUpdates.Get(ctx, cur)
		if err != nil {
			return nil, nil, err
		}
		want = types.UpdateHash(rec.UpdateBytes)
	}
	if !bytes.Equal(u.PrevHash, want) {
		return nil, nil, errorsmod.Wrapf(types.ErrAllowlistSequence, "prev_hash %x, want %x (SHA-256 of version %d)", u.PrevHash, want, cur)
	}
	set, err := k.signerSet(ctx)
	if err != nil {
		return nil, nil, err
	}
	ids, err := types.CheckAllowlistSignatures(updateBytes, sigs, set.Signers, set.Threshold)
	if err != nil {
		return nil, nil, err
	}
	return u, ids, nil
}

// applyAllowlistUpdate changes the allowlist state by u (already checked), stores the record and, when
// emit is set, applies the status rules and emits EventAllowlistUpdated.
func (k Keeper) applyAllowlistUpdate(ctx sdk.Context, u *types.AllowlistUpdate, rec types.AllowlistUpdateRecord, signerIDs []string, emit bool) error {
	for _, e := range u.Add {
		if err := k.Entries.Set(ctx, e.Measurement, *e); err != nil {
			return err
		}
	}
	for _, m := range u.Revoke {
		if err := k.Entries.Remove(ctx, m); err != nil {
			return err
		}
	}
	for _, t := range u.MinTcb {
		if err := k.MinTcb.Set(ctx, t.Product, *t); err != nil {
			return err
		}
	}
	if err := k.applyDenials(ctx, u, emit); err != nil {
		return err
	}
	if err := k.AllowlistUpdates.Set(ctx, u.Version, rec); err != nil {
		return err
	}
	if err := k.AllowlistVersion.Set(ctx, u.Version); err != nil {
		return err
	}
	if !emit {
		return nil
	}
	for _, m := range u.Revoke {
		if err := k.revokeMeasurement(ctx, m, u.Version); err != nil {
			return err
		}
	}
	if err := k.applyMinTcb(ctx, u.MinTcb, u.Version); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventAllowlistUpdated{
		Version:      u.Version,
		UpdateSha256: types.UpdateHash(rec.UpdateBytes),
		Added:        uint32(len(u.Add)),
		Revoked:      uint32(len(u.Revoke)),
		SignerIds:    signerIDs,
	})
}

// allowlistEntriesAt rebuilds the applied entry set of version v by replaying updates 1..v (for the
// Allowlist query of an older version).
func (k Keeper) allowlistEntriesAt(ctx context.Context, v uint64) ([]*types.AllowlistEntry, error) {
	set := map[string]*types.AllowlistEntry{}
	for i := uint64(1); i <= v; i++ {
		rec, err := k.AllowlistUpdates.Get(ctx, i)
		if err != nil {
			return nil, err
		}
		u, err := types.DecodeAllowlistUpdate(rec.UpdateBytes)
		if err != nil {
			return nil, err
		}
		for _, e := range u.Add {
			set[string(e.Measurement)] = e
		}
		for _, m := range u.Revoke {
			delete(set, string(m))
		}
	}
	// Ordered by measurement, as the Entries map of the current version iterates.
	keys := make([]string, 0, len(set))
	for m := range set {
		keys = append(keys, m)
	}
	sort.Strings(keys)
	out := make([]*types.AllowlistEntry, 0, len(keys))
	for _, m := range keys {
		out = append(out, set[m])
	}
	return out, nil
}
