package keeper_test

import errorsmod "cosmossdk.io/errors"

func errorsABCI(err error) (string, uint32, string) {
	return errorsmod.ABCIInfo(err, false)
}
