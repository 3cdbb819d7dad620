package app

import (
	storetypes "cosmossdk.io/store/types"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	snpattest "github.com/snprelay/snprelay/onchain/x/snpattest"
	snpkeeper "github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// The x/snpattest wiring, in one place: these pieces are what a chain team copies into its own
// app (a store key, the keeper with the gov authority, the staking keeper and the slashing keeper, the module, and its
// name in the BeginBlock/EndBlock/genesis orders).

type snpattestWiring struct {
	Keeper snpkeeper.Keeper
}

func snpattestStoreKeys() []string { return []string{snptypes.StoreKey} }

func (app *App) initSnpattestKeeper(keys map[string]*storetypes.KVStoreKey) {
	app.snpattest.Keeper = snpkeeper.NewKeeper(app.appCodec, runtime.NewKVStoreService(keys[snptypes.StoreKey]),
		app.Logger(), GovAuthority(), app.StakingKeeper,
		addresscodec.NewBech32Codec(Bech32Prefix), addresscodec.NewBech32Codec(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator))
	// Enforcement "jail" jails through x/slashing (keeper/enforce.go).
	app.snpattest.Keeper.SetSlashingKeeper(app.SlashingKeeper)
}

func (app *App) snpattestModules() []module.AppModule {
	return []module.AppModule{snpattest.NewAppModule(app.appCodec, app.snpattest.Keeper)}
}

func snpattestModuleNames() []string { return []string{snptypes.ModuleName} }

// SnpattestKeeper returns the x/snpattest keeper (tests).
func (app *App) SnpattestKeeper() snpkeeper.Keeper { return app.snpattest.Keeper }
