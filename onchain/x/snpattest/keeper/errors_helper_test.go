package keeper_test

import (
	errorsmod "cosmossdk.io/errors"
	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

func errorsABCI(err error) (string, uint32, string) {
	return errorsmod.ABCIInfo(err, false)
}

func abciEvent(e sdk.Event) abci.Event { return abci.Event(e) }
