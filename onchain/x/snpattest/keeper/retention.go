package keeper

import (
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Bounded state (issue 20): records older than record_retention_epochs are pruned in BeginBlock, at
// most prune_per_block per block, oldest epoch first; a VCEK is pruned with the last record naming it.
// Params.Validate keeps record_retention_epochs ≥ validity_epochs + 2, so the record carrying an
// ATTESTED status is never pruned.

// putRecord stores rec with its epoch index and VCEK reference.
func (k Keeper) putRecord(ctx sdk.Context, rec types.AttestationRecord) error {
	if err := k.Attestations.Set(ctx, collections.Join(rec.Operator, rec.Epoch), rec); err != nil {
		return err
	}
	if err := k.RecordsByEpoch.Set(ctx, collections.Join(rec.Epoch, rec.Operator)); err != nil {
		return err
	}
	if len(rec.VcekSha256) == 0 {
		return nil
	}
	n, err := getOrZero64(ctx, k.VcekRefs, rec.VcekSha256)
	if err != nil {
		return err
	}
	return k.VcekRefs.Set(ctx, rec.VcekSha256, n+1)
}

// dropRecord removes the record (epoch, operator), its index entry and its VCEK reference.
func (k Keeper) dropRecord(ctx sdk.Context, epoch uint64, operator string) error {
	key := collections.Join(operator, epoch)
	rec, err := k.Attestations.Get(ctx, key)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	if err := k.RecordsByEpoch.Remove(ctx, collections.Join(epoch, operator)); err != nil {
		return err
	}
	if err != nil {
		return nil
	}
	if err := k.Attestations.Remove(ctx, key); err != nil {
		return err
	}
	if len(rec.VcekSha256) == 0 {
		return nil
	}
	n, err := getOrZero64(ctx, k.VcekRefs, rec.VcekSha256)
	if err != nil {
		return err
	}
	if n <= 1 {
		if err := k.VcekRefs.Remove(ctx, rec.VcekSha256); err != nil {
			return err
		}
		return k.Vceks.Remove(ctx, rec.VcekSha256)
	}
	return k.VcekRefs.Set(ctx, rec.VcekSha256, n-1)
}

// pruneRecords removes up to prune_per_block records of epochs before current − record_retention_epochs.
func (k Keeper) pruneRecords(ctx sdk.Context, params types.Params) error {
	cur, err := k.CurrentEpoch.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if cur <= uint64(params.RecordRetentionEpochs) {
		return nil
	}
	cutoff := cur - uint64(params.RecordRetentionEpochs)
	it, err := k.RecordsByEpoch.Iterate(ctx, new(collections.Range[collections.Pair[uint64, string]]).EndExclusive(collections.Join(cutoff, "")))
	if err != nil {
		return err
	}
	var victims []collections.Pair[uint64, string]
	for ; it.Valid() && uint32(len(victims)) < params.PrunePerBlock; it.Next() {
		key, err := it.Key()
		if err != nil {
			it.Close()
			return err
		}
		victims = append(victims, key)
	}
	it.Close()
	for _, v := range victims {
		if err := k.dropRecord(ctx, v.K1(), v.K2()); err != nil {
			return fmt.Errorf("pruning record (%s, %d): %w", v.K2(), v.K1(), err)
		}
	}
	return nil
}

func getOrZero64[K any](ctx sdk.Context, m collections.Map[K, uint64], key K) (uint64, error) {
	v, err := m.Get(ctx, key)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return v, err
}

// rebuildRecordIndexes fills RecordsByEpoch and VcekRefs from the records (genesis import, migration).
func (k Keeper) rebuildRecordIndexes(ctx sdk.Context) error {
	recs, err := pairsOf(ctx, k.Attestations)
	if err != nil {
		return err
	}
	if err := k.VcekRefs.Clear(ctx, nil); err != nil {
		return err
	}
	if err := k.RecordsByEpoch.Clear(ctx, nil); err != nil {
		return err
	}
	for _, p := range recs {
		if err := k.putRecord(ctx, p.val); err != nil {
			return err
		}
	}
	return nil
}

// RemoveOperator drops everything the module keeps about a validator that left x/staking: relayer
// binding, status and its index entry, governance revocation, chip binding. Its records stay until
// retention prunes them. Emits EventOperatorRemoved.
func (k Keeper) RemoveOperator(ctx sdk.Context, operator string) error {
	st, err := k.Statuses.Get(ctx, operator)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	if err == nil && len(st.Measurement) > 0 {
		if err := k.MeasurementIndex.Remove(ctx, collections.Join(st.Measurement, operator)); err != nil {
			return err
		}
	}
	for _, rm := range []func() error{
		func() error { return k.Statuses.Remove(ctx, operator) },
		func() error { return k.Relayers.Remove(ctx, operator) },
		func() error { return k.GovernanceRevoked.Remove(ctx, operator) },
		func() error { return k.EnforcementStreaks.Remove(ctx, operator) },
		func() error { return k.unbindChip(ctx, operator) },
	} {
		if err := rm(); err != nil {
			return err
		}
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventOperatorRemoved{Operator: operator})
}
