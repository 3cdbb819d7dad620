package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// The consumer API: what other modules of the chain call (README.md "Consumer API").

// IsAttested reports whether the validator's status is ATTESTED now. A validator the module has
// never seen is not attested (false, nil); only a store failure is an error.
func (k Keeper) IsAttested(ctx context.Context, valAddr sdk.ValAddress) (bool, error) {
	op, err := k.valCodec.BytesToString(valAddr)
	if err != nil {
		return false, err
	}
	st, err := k.Statuses.Get(ctx, op)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return st.Status == types.OperatorStatus_STATUS_ATTESTED, nil
}

// AttestedPower is the bonded set (x/staking's bonded validators) and its ATTESTED part, counted in
// validators and in bonded tokens.
type AttestedPower struct {
	BondedValidators   uint32
	AttestedValidators uint32
	BondedTokens       math.Int
	AttestedTokens     math.Int
}

// Share is AttestedTokens / BondedTokens (zero when nothing is bonded).
func (p AttestedPower) Share() math.LegacyDec {
	if !p.BondedTokens.IsPositive() {
		return math.LegacyZeroDec()
	}
	return math.LegacyNewDecFromInt(p.AttestedTokens).QuoInt(p.BondedTokens)
}

// AttestedPower measures the attested part of the bonded set at ctx's height.
func (k Keeper) AttestedPower(ctx context.Context) (AttestedPower, error) {
	vals, err := k.staking.GetBondedValidatorsByPower(ctx)
	if err != nil {
		return AttestedPower{}, err
	}
	p := AttestedPower{BondedTokens: math.ZeroInt(), AttestedTokens: math.ZeroInt()}
	for _, v := range vals {
		p.BondedValidators++
		p.BondedTokens = p.BondedTokens.Add(v.Tokens)
		valAddr, err := k.valCodec.StringToBytes(v.OperatorAddress)
		if err != nil {
			return AttestedPower{}, err
		}
		ok, err := k.IsAttested(ctx, valAddr)
		if err != nil {
			return AttestedPower{}, err
		}
		if ok {
			p.AttestedValidators++
			p.AttestedTokens = p.AttestedTokens.Add(v.Tokens)
		}
	}
	return p, nil
}

// wiring holds the consumers' hooks and the slashing keeper (nil until set).
type wiring struct {
	hooks    types.SnpattestHooks
	slashing types.SlashingKeeper
}

// SetHooks registers the consumers' hooks; once per keeper (a second call panics, as x/staking's
// SetHooks does, because it would silently drop the first consumer).
func (k Keeper) SetHooks(h types.SnpattestHooks) {
	if k.wiring.hooks != nil {
		panic("snpattest: SetHooks called twice")
	}
	k.wiring.hooks = h
}

// afterStatusChanged calls the hooks for a stored status change of operator.
func (k Keeper) afterStatusChanged(ctx context.Context, operator string, from, to types.OperatorStatus_Status) error {
	if k.wiring.hooks == nil {
		return nil
	}
	valAddr, err := k.valCodec.StringToBytes(operator)
	if err != nil {
		return err
	}
	return k.wiring.hooks.AfterOperatorStatusChanged(ctx, valAddr, from, to)
}
