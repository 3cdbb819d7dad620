// Package app is the reference chain application for x/snpattest: a Cosmos SDK v0.53 app with the
// minimum set of modules a proof-of-stake chain with governance needs (auth, bank, staking,
// distribution, gov, consensus, genutil) plus snpattest, wired by hand in the style of simapp.
//
// A chain team that wants x/snpattest in its own app copies the few snpattest lines from keepers.go
// (store key, keeper, module) and the order entries from app.go; nothing else here is specific to it.
package app

import (
	"os"
	"path/filepath"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

const (
	// AppName is the ABCI application name and the binary's name.
	AppName = "snpattestd"
	// Bech32Prefix is the account address prefix; validators use Bech32Prefix+"valoper".
	Bech32Prefix = "cosmos"
	// BondDenom is the staking and fee denomination.
	BondDenom = "stake"
	// MinGasPriceAmount is the fee per gas unit (in BondDenom) a fresh node home charges.
	MinGasPriceAmount = "0.025"
	// DefaultMinGasPrices is app.toml's minimum-gas-prices for a fresh node home.
	DefaultMinGasPrices = MinGasPriceAmount + BondDenom
	// BlockMaxGas is the consensus block.max_gas a chain of this app should set (devnet init does):
	// with x/snpattest charging 300000 gas per verification (keeper.VerifyGas) it admits at most 66
	// verifications per block, ≈ 1 s of verification on the project's 2-core box at the measured
	// ≈ 15 ms per MsgSubmitAttestation handler (x/snpattest README "Bounded cost"); -1 (CometBFT's
	// default) would leave the block's verification time unbounded.
	BlockMaxGas = 20_000_000
)

// DefaultNodeHome is $HOME/.snpattestd (the --home default of every command).
var DefaultNodeHome = defaultNodeHome()

func defaultNodeHome() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return "." + AppName
	}
	return filepath.Join(home, "."+AppName)
}

// SetSDKConfig sets the process-wide bech32 prefixes and bond denom. It is idempotent and must run
// before any address is parsed or printed; the command line calls it first and then seals the config.
func SetSDKConfig() {
	cfg := sdk.GetConfig()
	cfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32Prefix+sdk.PrefixPublic)
	cfg.SetBech32PrefixForValidator(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator,
		Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator+sdk.PrefixPublic)
	cfg.SetBech32PrefixForConsensusNode(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus,
		Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus+sdk.PrefixPublic)
	sdk.DefaultBondDenom = BondDenom
}
