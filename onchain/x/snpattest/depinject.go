package snpattest

import (
	"fmt"
	"sort"

	"cosmossdk.io/core/address"
	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/core/store"
	"cosmossdk.io/depinject"
	"cosmossdk.io/log"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/runtime"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types/modulev1"
)

// App wiring (depinject): an app_config-based chain adds the module with one entry
// {name: "snpattest", config: snpattest.module.v1.Module{}}; ProvideModule builds the keeper, hands
// x/staking the module's staking hooks, and InvokeSetSnpattestHooks registers the consumers' hooks.
// The ante AttemptDecorator is the app's own ante chain's business (README.md "Wiring").

func init() {
	appmodule.Register(&modulev1.Module{},
		appmodule.Provide(ProvideModule),
		appmodule.Invoke(InvokeSetSnpattestHooks),
	)
}

// ModuleInputs are what ProvideModule takes from the container.
type ModuleInputs struct {
	depinject.In

	Config                *modulev1.Module
	Cdc                   codec.Codec
	StoreService          store.KVStoreService
	Logger                log.Logger
	AddressCodec          address.Codec
	ValidatorAddressCodec runtime.ValidatorAddressCodec
	StakingKeeper         types.StakingKeeper
}

// ModuleOutputs are the keeper, the module and its x/staking hooks.
type ModuleOutputs struct {
	depinject.Out

	Keeper       keeper.Keeper
	Module       appmodule.AppModule
	StakingHooks stakingtypes.StakingHooksWrapper
}

// ProvideModule builds the module from the container; the authority defaults to x/gov's account.
func ProvideModule(in ModuleInputs) (ModuleOutputs, error) {
	authority := authtypes.NewModuleAddress(govtypes.ModuleName)
	if in.Config.Authority != "" {
		authority = authtypes.NewModuleAddressOrBech32Address(in.Config.Authority)
	}
	auth, err := in.AddressCodec.BytesToString(authority)
	if err != nil {
		return ModuleOutputs{}, fmt.Errorf("%s: authority: %w", types.ModuleName, err)
	}
	k := keeper.NewKeeper(in.Cdc, in.StoreService, in.Logger, auth, in.StakingKeeper, in.AddressCodec, in.ValidatorAddressCodec)
	return ModuleOutputs{
		Keeper:       k,
		Module:       NewAppModule(in.Cdc, k),
		StakingHooks: stakingtypes.StakingHooksWrapper{StakingHooks: k.Hooks()},
	}, nil
}

// HooksWrapper carries one module's SnpattestHooks through the container (one per module).
type HooksWrapper struct{ types.SnpattestHooks }

// IsOnePerModuleType implements depinject.OnePerModuleType.
func (HooksWrapper) IsOnePerModuleType() {}

// InvokeSetSnpattestHooks registers every module's SnpattestHooks with the keeper, in module-name
// order (deterministic: map order is not).
func InvokeSetSnpattestHooks(k keeper.Keeper, hooks map[string]HooksWrapper) {
	if len(hooks) == 0 {
		return
	}
	names := make([]string, 0, len(hooks))
	for n := range hooks {
		names = append(names, n)
	}
	sort.Strings(names)
	multi := make(types.MultiSnpattestHooks, 0, len(names))
	for _, n := range names {
		multi = append(multi, hooks[n])
	}
	k.SetHooks(multi)
}
