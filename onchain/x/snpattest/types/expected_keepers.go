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
