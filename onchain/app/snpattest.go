package app

import (
	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/types/module"
)

// Placeholder until x/snpattest's module.go lands: no store, no module.
type snpattestWiring struct{}

func snpattestStoreKeys() []string { return nil }

func (app *App) initSnpattestKeeper(map[string]*storetypes.KVStoreKey) {}

func (app *App) snpattestModules() []module.AppModule { return nil }

func snpattestModuleNames() []string { return nil }
