package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
)

// StakingKeeper is what the module needs from x/staking: whether an operator address is a validator
// (GetValidator returns stakingtypes.ErrNoValidatorFound for an unknown address) and the bonded set
// with its tokens (the attested share of bonded power).
type StakingKeeper interface {
	GetValidator(ctx context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error)
	GetBondedValidatorsByPower(ctx context.Context) ([]stakingtypes.Validator, error)
}

// SlashingKeeper jails a validator (x/slashing's Keeper.Jail: x/staking jails it, x/slashing emits its
// slash event). Needed only for enforcement "jail"; the app sets it with Keeper.SetSlashingKeeper.
type SlashingKeeper interface {
	Jail(ctx context.Context, consAddr sdk.ConsAddress) error
}
