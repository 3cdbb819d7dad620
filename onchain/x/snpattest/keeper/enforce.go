package keeper

import (
	"errors"
	"fmt"
	"sort"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Enforcement "jail" (README.md "Enforcement"), run at every epoch start after the status rules:
//   - a bonded validator first seen while enforcement applies gets streak 0: it has jail_after_epochs
//     full epochs from this epoch start (chain start, an upgrade that adds the module, bonding, or
//     enforcement switched on all land here);
//   - at each later epoch start its streak goes to 0 when ATTESTED, else up by one; at
//     streak >= jail_after_epochs it is due;
//   - due validators are jailed through x/slashing in ascending bonded tokens (then operator), while
//     the tokens jailed in this block stay <= 1/3 of the bonded tokens at its start; the rest are
//     deferred (EventOperatorJailDeferred) and stay due at the next epoch start;
//   - a jailed validator keeps its streak (reset only by ATTESTED), so an unjail without a current
//     attestation does not stick: it is due again at the next epoch start;
//   - a validator neither bonded nor jailed is forgotten (it gets a full window when it bonds again).

// SetSlashingKeeper gives the keeper x/slashing (enforcement "jail" jails through it).
func (k Keeper) SetSlashingKeeper(sk types.SlashingKeeper) { k.wiring.slashing = sk }

type dueValidator struct {
	op     string
	tokens math.Int
	cons   sdk.ConsAddress
	streak uint32
}

func (k Keeper) enforce(ctx sdk.Context, params types.Params, e uint64) error {
	if !params.Jails() {
		return k.EnforcementStreaks.Clear(ctx, nil)
	}
	if k.wiring.slashing == nil {
		k.logger.Error("enforcement is \"jail\" but the app gave the module no slashing keeper; nobody is jailed")
		return nil
	}
	bonded, err := k.staking.GetBondedValidatorsByPower(ctx)
	if err != nil {
		return err
	}
	total := math.ZeroInt()
	seen := map[string]bool{}
	var due []dueValidator
	for _, v := range bonded {
		if v.IsJailed() {
			continue
		}
		total = total.Add(v.Tokens)
		seen[v.OperatorAddress] = true
		streak, fresh, err := k.nextStreak(ctx, v.OperatorAddress)
		if err != nil {
			return err
		}
		if fresh || streak < params.JailAfterEpochs {
			continue
		}
		cons, err := v.GetConsAddr()
		if err != nil {
			return err
		}
		due = append(due, dueValidator{op: v.OperatorAddress, tokens: v.Tokens, cons: cons, streak: streak})
	}
	if err := k.keepJailedStreaks(ctx, seen); err != nil {
		return err
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].tokens.Equal(due[j].tokens) {
			return due[i].tokens.LT(due[j].tokens)
		}
		return due[i].op < due[j].op
	})
	jailed := math.ZeroInt()
	for _, d := range due {
		if jailed.Add(d.tokens).MulRaw(3).GT(total) {
			if err := ctx.EventManager().EmitTypedEvent(&types.EventOperatorJailDeferred{Operator: d.op, Epoch: e}); err != nil {
				return err
			}
			continue
		}
		if err := k.wiring.slashing.Jail(ctx, d.cons); err != nil {
			return fmt.Errorf("jailing %s: %w", d.op, err)
		}
		jailed = jailed.Add(d.tokens)
		reason := fmt.Sprintf("not ATTESTED at %d consecutive epoch starts (jail_after_epochs %d)", d.streak, params.JailAfterEpochs)
		if err := ctx.EventManager().EmitTypedEvent(&types.EventOperatorJailed{
			Operator: d.op, Epoch: e, NonAttestedEpochs: d.streak, Reason: reason,
		}); err != nil {
			return err
		}
	}
	return nil
}

// nextStreak advances op's streak at an epoch start; fresh = enforcement applies to op from now.
func (k Keeper) nextStreak(ctx sdk.Context, op string) (streak uint32, fresh bool, err error) {
	streak, err = k.EnforcementStreaks.Get(ctx, op)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, true, k.EnforcementStreaks.Set(ctx, op, 0)
	} else if err != nil {
		return 0, false, err
	}
	attested, err := k.isAttestedText(ctx, op)
	if err != nil {
		return 0, false, err
	}
	if attested {
		streak = 0
	} else if streak < ^uint32(0) {
		streak++
	}
	return streak, false, k.EnforcementStreaks.Set(ctx, op, streak)
}

// keepJailedStreaks handles the tracked validators outside the bonded set: a jailed one keeps its
// streak (0 once ATTESTED again), any other is forgotten.
func (k Keeper) keepJailedStreaks(ctx sdk.Context, bonded map[string]bool) error {
	it, err := k.EnforcementStreaks.Iterate(ctx, nil)
	if err != nil {
		return err
	}
	ops, err := it.Keys()
	if err != nil {
		return err
	}
	for _, op := range ops {
		if bonded[op] {
			continue
		}
		valAddr, err := k.valCodec.StringToBytes(op)
		if err != nil {
			return err
		}
		v, err := k.staking.GetValidator(ctx, valAddr)
		if errors.Is(err, stakingtypes.ErrNoValidatorFound) || (err == nil && !v.IsJailed()) {
			if err := k.EnforcementStreaks.Remove(ctx, op); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		if attested, err := k.isAttestedText(ctx, op); err != nil {
			return err
		} else if attested {
			if err := k.EnforcementStreaks.Set(ctx, op, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

func (k Keeper) isAttestedText(ctx sdk.Context, op string) (bool, error) {
	st, err := k.Statuses.Get(ctx, op)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	}
	return err == nil && st.Status == types.OperatorStatus_STATUS_ATTESTED, err
}
