package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// setStatus writes st and, when its status differs from the stored one, emits
// EventOperatorStatusChanged. It keeps the measurement → operators index in step.
func (k Keeper) setStatus(ctx sdk.Context, st types.OperatorStatus, reason string) error {
	old, err := k.Statuses.Get(ctx, st.Operator)
	from := types.OperatorStatus_STATUS_UNSPECIFIED
	switch {
	case err == nil:
		from = old.Status
		if len(old.Measurement) > 0 && string(old.Measurement) != string(st.Measurement) {
			if err := k.MeasurementIndex.Remove(ctx, collections.Join(old.Measurement, st.Operator)); err != nil {
				return err
			}
		}
	case errors.Is(err, collections.ErrNotFound):
	default:
		return err
	}
	if from != st.Status {
		st.Reason = reason
	}
	if len(st.Measurement) > 0 {
		if err := k.MeasurementIndex.Set(ctx, collections.Join(st.Measurement, st.Operator)); err != nil {
			return err
		}
	}
	if err := k.Statuses.Set(ctx, st.Operator, st); err != nil {
		return err
	}
	if from == st.Status {
		return nil
	}
	if err := ctx.EventManager().EmitTypedEvent(&types.EventOperatorStatusChanged{
		Operator: st.Operator, From: from, To: st.Status, Reason: reason,
	}); err != nil {
		return err
	}
	return k.afterStatusChanged(ctx, st.Operator, from, st.Status)
}

// allStatuses reads every status in key (operator) order, so that callers can write while going
// through them (collections forbid writes inside Walk).
func (k Keeper) allStatuses(ctx context.Context) ([]types.OperatorStatus, error) {
	it, err := k.Statuses.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	return it.Values()
}

// applyEpochStatusRules runs at the start of epoch e: ATTESTED → STALE once e > valid_until_epoch or
// once the allowlist entry of the status's measurement has expired (expiry_height ≤ the start height;
// an entry's expiry thus reaches statuses at the next epoch start), and consecutive_misses = the number
// of finished epochs since the last attested one (last_epoch + 1 .. e-1).
func (k Keeper) applyEpochStatusRules(ctx sdk.Context, e uint64) error {
	all, err := k.allStatuses(ctx)
	if err != nil {
		return err
	}
	for _, st := range all {
		changed := false
		if st.LastEpoch > 0 && e > st.LastEpoch+1 {
			if m := uint32(e - 1 - st.LastEpoch); m != st.ConsecutiveMisses {
				st.ConsecutiveMisses, changed = m, true
			}
		}
		reason := st.Reason
		if st.Status == types.OperatorStatus_STATUS_ATTESTED && e > st.ValidUntilEpoch {
			st.Status, changed = types.OperatorStatus_STATUS_STALE, true
			reason = fmt.Sprintf("attestation valid until epoch %d; epoch %d started", st.ValidUntilEpoch, e)
		} else if st.Status == types.OperatorStatus_STATUS_ATTESTED && len(st.Measurement) > 0 {
			entry, err := k.Entries.Get(ctx, st.Measurement)
			if err != nil && !errors.Is(err, collections.ErrNotFound) {
				return err
			}
			if err == nil && entry.ExpiryHeight != 0 && ctx.BlockHeight() >= entry.ExpiryHeight {
				st.Status, changed = types.OperatorStatus_STATUS_STALE, true
				reason = fmt.Sprintf("allowlist entry of measurement %x expired at height %d", st.Measurement, entry.ExpiryHeight)
			}
		}
		if changed {
			if err := k.setStatus(ctx, st, reason); err != nil {
				return err
			}
		}
	}
	return nil
}

// revokeMeasurement turns every operator whose status names measurement (and is not already REVOKED)
// REVOKED, immediately.
func (k Keeper) revokeMeasurement(ctx sdk.Context, measurement []byte, version uint64) error {
	it, err := k.MeasurementIndex.Iterate(ctx, collections.NewPrefixedPairRange[[]byte, string](measurement))
	if err != nil {
		return err
	}
	keys, err := it.Keys()
	if err != nil {
		return err
	}
	for _, key := range keys {
		st, err := k.Statuses.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if st.Status == types.OperatorStatus_STATUS_REVOKED {
			continue
		}
		st.Status = types.OperatorStatus_STATUS_REVOKED
		reason := fmt.Sprintf("measurement %x revoked by allowlist version %d", measurement, version)
		if err := k.setStatus(ctx, st, reason); err != nil {
			return err
		}
	}
	return nil
}

// TcbBelow reports whether reported is below min in any component (fmc counts for Turin only).
func TcbBelow(reported, min *types.ProductTcb) bool {
	if reported == nil || min == nil {
		return false
	}
	if reported.BootLoader < min.BootLoader || reported.Tee < min.Tee || reported.Snp < min.Snp ||
		reported.Microcode < min.Microcode {
		return true
	}
	return min.Product == "Turin" && reported.Fmc < min.Fmc
}

// applyMinTcb turns ATTESTED operators whose reported TCB for one of mins' products is now below the
// minimum STALE.
func (k Keeper) applyMinTcb(ctx sdk.Context, mins []*types.ProductTcb, version uint64) error {
	if len(mins) == 0 {
		return nil
	}
	all, err := k.allStatuses(ctx)
	if err != nil {
		return err
	}
	for _, st := range all {
		if st.Status != types.OperatorStatus_STATUS_ATTESTED || st.ReportedTcb == nil {
			continue
		}
		for _, m := range mins {
			if m.Product == st.ReportedTcb.Product && TcbBelow(st.ReportedTcb, m) {
				st.Status = types.OperatorStatus_STATUS_STALE
				reason := fmt.Sprintf("reported TCB below min_tcb of allowlist version %d for %s", version, m.Product)
				if err := k.setStatus(ctx, st, reason); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}
