package keeper

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// InitGenesis loads gs (already validated by ValidateGenesis) and checks what needs the context: every
// allowlist update's chain_id must be this chain's.
func (k Keeper) InitGenesis(ctx sdk.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, *gs.Params); err != nil {
		return err
	}
	// Only a genesis with non-empty simulated_roots lets the chain ever hold them (issue 20).
	if err := k.SimRootsAllowed.Set(ctx, len(gs.Params.SimulatedRoots) > 0); err != nil {
		return err
	}
	if len(gs.Signers) > 0 {
		if err := k.Signers.Set(ctx, types.AllowlistSignerSet{Signers: gs.Signers, Threshold: gs.Threshold, SetVersion: gs.SignerSetVersion}); err != nil {
			return err
		}
	}
	records := gs.AllowlistUpdates
	if len(gs.AllowlistUpdateBytes) > 0 {
		records = []*types.AllowlistUpdateRecord{{
			Version: 1, UpdateBytes: gs.AllowlistUpdateBytes, Signatures: gs.AllowlistSignatures, AppliedHeight: ctx.BlockHeight(),
		}}
	}
	for _, rec := range records {
		u, err := types.DecodeAllowlistUpdate(rec.UpdateBytes)
		if err != nil {
			return err
		}
		if u.ChainId != ctx.ChainID() {
			return errorsmod.Wrapf(types.ErrAllowlistExpired, "genesis allowlist version %d is for chain %q, this chain is %q", u.Version, u.ChainId, ctx.ChainID())
		}
		if err := k.applyAllowlistUpdate(ctx, u, *rec, nil, false); err != nil {
			return err
		}
	}
	if err := k.checkGenesisAddresses(gs); err != nil {
		return err
	}
	for _, b := range gs.Relayers {
		if err := k.Relayers.Set(ctx, b.Operator, b.Relayer); err != nil {
			return err
		}
	}
	var cur uint64
	for _, e := range gs.Epochs {
		if err := k.Epochs.Set(ctx, e.Epoch, *e); err != nil {
			return err
		}
		if e.Epoch > cur {
			cur = e.Epoch
		}
	}
	if cur > 0 {
		if err := k.CurrentEpoch.Set(ctx, cur); err != nil {
			return err
		}
	}
	for _, h := range gs.BlockHashes {
		if err := k.BlockHashes.Set(ctx, h.Height, h.Hash); err != nil {
			return err
		}
	}
	for _, st := range gs.Statuses {
		if err := k.Statuses.Set(ctx, st.Operator, *st); err != nil {
			return err
		}
		if len(st.Measurement) > 0 {
			if err := k.MeasurementIndex.Set(ctx, collections.Join(st.Measurement, st.Operator)); err != nil {
				return err
			}
		}
	}
	for _, a := range gs.Attestations {
		if err := k.Attestations.Set(ctx, collections.Join(a.Operator, a.Epoch), *a); err != nil {
			return err
		}
	}
	if err := k.rebuildRecordIndexes(ctx); err != nil {
		return err
	}
	for _, der := range gs.Vceks {
		sum := sha256.Sum256(der)
		if err := k.Vceks.Set(ctx, sum[:], der); err != nil {
			return err
		}
	}
	for _, op := range gs.GovernanceRevoked {
		if err := k.GovernanceRevoked.Set(ctx, op); err != nil {
			return err
		}
	}
	for _, b := range gs.ChipBindings {
		for _, op := range b.Operators {
			if err := k.CanonicalOperator(op); err != nil {
				return err
			}
			if err := k.bindChip(ctx, op, b.ChipIdSha256); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExportGenesis writes the whole state; InitGenesis of the result re-creates it (the applied allowlist
// history goes to field 8, fields 4/5 stay empty).
func (k Keeper) ExportGenesis(ctx sdk.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: &params}
	set, err := k.signerSet(ctx)
	if err != nil {
		return nil, err
	}
	gs.Signers, gs.Threshold, gs.SignerSetVersion = set.Signers, set.Threshold, set.SetVersion
	if gs.SimulatedRootsAllowed, err = k.SimRootsAllowed.Get(ctx); err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	// Exported without roots, the flag would let the next chain add roots its genesis never had.
	gs.SimulatedRootsAllowed = gs.SimulatedRootsAllowed && len(params.SimulatedRoots) > 0
	if err := walkAll(ctx, k.AllowlistUpdates, func(_ uint64, v types.AllowlistUpdateRecord) {
		gs.AllowlistUpdates = append(gs.AllowlistUpdates, &v)
	}); err != nil {
		return nil, err
	}
	if err := walkAll(ctx, k.Relayers, func(op, r string) {
		gs.Relayers = append(gs.Relayers, &types.RelayerBinding{Operator: op, Relayer: r})
	}); err != nil {
		return nil, err
	}
	if err := walkAll(ctx, k.Epochs, func(_ uint64, v types.NonceEpoch) { gs.Epochs = append(gs.Epochs, &v) }); err != nil {
		return nil, err
	}
	if err := walkAll(ctx, k.BlockHashes, func(h int64, hash []byte) {
		gs.BlockHashes = append(gs.BlockHashes, &types.BlockHashEntry{Height: h, Hash: hash})
	}); err != nil {
		return nil, err
	}
	if err := walkAll(ctx, k.Statuses, func(_ string, v types.OperatorStatus) { gs.Statuses = append(gs.Statuses, &v) }); err != nil {
		return nil, err
	}
	if err := walkAll(ctx, k.Attestations, func(_ collections.Pair[string, uint64], v types.AttestationRecord) {
		gs.Attestations = append(gs.Attestations, &v)
	}); err != nil {
		return nil, err
	}
	if err := walkAll(ctx, k.Vceks, func(_ []byte, der []byte) { gs.Vceks = append(gs.Vceks, der) }); err != nil {
		return nil, err
	}
	if err := k.GovernanceRevoked.Walk(ctx, nil, func(op string) (bool, error) {
		gs.GovernanceRevoked = append(gs.GovernanceRevoked, op)
		return false, nil
	}); err != nil {
		return nil, err
	}
	var last *types.ChipBinding
	if err := k.ChipOperators.Walk(ctx, nil, func(key collections.Pair[[]byte, string]) (bool, error) {
		if last == nil || string(last.ChipIdSha256) != string(key.K1()) {
			last = &types.ChipBinding{ChipIdSha256: key.K1()}
			gs.ChipBindings = append(gs.ChipBindings, last)
		}
		last.Operators = append(last.Operators, key.K2())
		return false, nil
	}); err != nil {
		return nil, err
	}
	if cur, err := k.CurrentEpoch.Get(ctx); err == nil {
		if _, err := k.Epochs.Get(ctx, cur); err != nil {
			return nil, fmt.Errorf("current epoch %d is not stored: %w", cur, err)
		}
	}
	return gs, nil
}

func walkAll[K any, V any](ctx sdk.Context, m collections.Map[K, V], f func(K, V)) error {
	return m.Walk(ctx, nil, func(key K, v V) (bool, error) {
		f(key, v)
		return false, nil
	})
}

// checkGenesisAddresses decodes every address of gs with the app's codecs: canonical text only.
func (k Keeper) checkGenesisAddresses(gs *types.GenesisState) error {
	for _, b := range gs.Relayers {
		if err := k.CanonicalOperator(b.Operator); err != nil {
			return err
		}
		if err := k.CanonicalAccount(b.Relayer); err != nil {
			return err
		}
	}
	for _, st := range gs.Statuses {
		if err := k.CanonicalOperator(st.Operator); err != nil {
			return err
		}
	}
	for _, a := range gs.Attestations {
		if err := k.CanonicalOperator(a.Operator); err != nil {
			return err
		}
	}
	for _, op := range gs.GovernanceRevoked {
		if err := k.CanonicalOperator(op); err != nil {
			return err
		}
	}
	return nil
}
