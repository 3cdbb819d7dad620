package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// SnpattestHooks are what another module of the chain implements to learn of status changes; the app
// registers them once with Keeper.SetHooks (MultiSnpattestHooks for several).
type SnpattestHooks interface {
	// AfterOperatorStatusChanged runs after the stored status of valAddr changed from → to, in the
	// same state transition (a message, or BeginBlock at an epoch start). An error aborts that
	// transition: a message fails; in BeginBlock the block fails, so a hook must not return errors
	// for conditions it can tolerate.
	AfterOperatorStatusChanged(ctx context.Context, valAddr sdk.ValAddress, from, to OperatorStatus_Status) error
}

// MultiSnpattestHooks runs several hooks in order, stopping at the first error.
type MultiSnpattestHooks []SnpattestHooks

// AfterOperatorStatusChanged implements SnpattestHooks.
func (m MultiSnpattestHooks) AfterOperatorStatusChanged(ctx context.Context, valAddr sdk.ValAddress, from, to OperatorStatus_Status) error {
	for _, h := range m {
		if err := h.AfterOperatorStatusChanged(ctx, valAddr, from, to); err != nil {
			return err
		}
	}
	return nil
}
