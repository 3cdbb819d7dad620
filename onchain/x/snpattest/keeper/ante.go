package keeper

import (
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Bounded verification cost (issue 20). A rejected submission reverts its message's state writes, so
// the handler cannot count failed verifications; the ante handler's writes are committed before the
// messages run, whatever they return. AttemptDecorator therefore counts every MsgSubmitAttestation that
// passes the cheap checks (canonical addresses, relayer binding, governance revocation, epoch open)
// against max_attempts_per_operator_epoch and max_attempts_per_block, and refuses it (code 13) when
// either is spent — before any verification, in CheckTx, ReCheckTx and Simulate exactly as in
// FinalizeBlock. Only the bound relayer of an operator can spend that operator's attempts, so nobody
// else can lock a validator out. The handler refuses a submission whose attempt was not counted, so a
// chain that forgets to install the decorator fails loudly instead of running unbounded.

// AttemptDecorator is the sdk.AnteDecorator an app appends after signature verification.
type AttemptDecorator struct{ k Keeper }

// NewAttemptDecorator returns the decorator over k.
func NewAttemptDecorator(k Keeper) AttemptDecorator { return AttemptDecorator{k: k} }

// AnteHandle counts each MsgSubmitAttestation of tx.
func (d AttemptDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	for _, m := range tx.GetMsgs() {
		if msg, ok := m.(*types.MsgSubmitAttestation); ok {
			if err := d.k.CountAttempt(ctx, msg); err != nil {
				return ctx, err
			}
		}
	}
	return next(ctx, tx, simulate)
}

// attemptHeight is the block a transaction's attempt counts for: the block being finalized, or, in
// CheckTx/ReCheckTx/Simulate (which run on the last committed state), the next one. The check state
// is reset at every commit, so the mempool admits at most max_attempts_per_block per block interval.
func attemptHeight(ctx sdk.Context) int64 {
	if ctx.ExecMode() == sdk.ExecModeFinalize {
		return ctx.BlockHeight()
	}
	return ctx.BlockHeight() + 1
}

// CountAttempt applies the cheap checks of msg and counts one verification attempt for it.
func (k Keeper) CountAttempt(ctx sdk.Context, msg *types.MsgSubmitAttestation) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if _, err := k.precheckSubmission(ctx, params, msg); err != nil {
		return err
	}
	key := collections.Join(msg.Epoch, msg.Operator)
	n, err := getOrZero(ctx, k.Attempts, key)
	if err != nil {
		return err
	}
	if n >= params.MaxAttemptsPerOperatorEpoch {
		return errorsmod.Wrapf(types.ErrTooManyAttempts, "operator %s, epoch %d: %d verification attempts made (max_attempts_per_operator_epoch %d)",
			msg.Operator, msg.Epoch, n, params.MaxAttemptsPerOperatorEpoch)
	}
	h := attemptHeight(ctx)
	b, err := getOrZero(ctx, k.BlockAttempts, h)
	if err != nil {
		return err
	}
	if b >= params.MaxAttemptsPerBlock {
		return errorsmod.Wrapf(types.ErrTooManyAttempts, "height %d: %d verification attempts in this block (max_attempts_per_block %d)",
			h, b, params.MaxAttemptsPerBlock)
	}
	if err := k.Attempts.Set(ctx, key, n+1); err != nil {
		return err
	}
	return k.BlockAttempts.Set(ctx, h, b+1)
}

func getOrZero[K any](ctx sdk.Context, m collections.Map[K, uint32], key K) (uint32, error) {
	v, err := m.Get(ctx, key)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return v, err
}
