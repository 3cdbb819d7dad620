package snpattest_test

import (
	"testing"

	appv1alpha1 "cosmossdk.io/api/cosmos/app/v1alpha1"
	"cosmossdk.io/core/appconfig"
	"cosmossdk.io/depinject"
	"cosmossdk.io/log"
	"github.com/cosmos/cosmos-sdk/testutil/configurator"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"

	// The modules an app_config names register their depinject providers when imported.
	_ "github.com/cosmos/cosmos-sdk/x/auth"
	_ "github.com/cosmos/cosmos-sdk/x/auth/tx/config"
	_ "github.com/cosmos/cosmos-sdk/x/bank"
	_ "github.com/cosmos/cosmos-sdk/x/consensus"
	_ "github.com/cosmos/cosmos-sdk/x/genutil"
	_ "github.com/cosmos/cosmos-sdk/x/staking"

	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types/modulev1"
)

// snpattestModule is the one app_config entry a chain adds (plus the module's place in the
// begin-blocker and init-genesis orders).
func snpattestModule() configurator.ModuleOption {
	return func(cfg *configurator.Config) {
		cfg.BeginBlockersOrder = append(cfg.BeginBlockersOrder, types.ModuleName)
		cfg.InitGenesisOrder = append(cfg.InitGenesisOrder, types.ModuleName)
		cfg.ModuleConfigs[types.ModuleName] = &appv1alpha1.ModuleConfig{
			Name: types.ModuleName, Config: appconfig.WrapAny(&modulev1.Module{}),
		}
	}
}

// An app built only from an app_config (runtime + depinject) with the snpattest entry starts at
// genesis: the keeper is provided with the x/gov authority, its genesis is the default one, its
// queries run against x/staking's bonded set, and x/staking calls the module's hooks.
func TestDepinjectAppConfigBuildsTheModule(t *testing.T) {
	var (
		k       keeper.Keeper
		staking *stakingkeeper.Keeper
	)
	cfg := depinject.Configs(
		configurator.NewAppConfig(configurator.AuthModule(), configurator.BankModule(), configurator.StakingModule(),
			configurator.TxModule(), configurator.ConsensusModule(), configurator.GenutilModule(), snpattestModule()),
		depinject.Supply(log.NewNopLogger()),
	)
	app, err := simtestutil.Setup(cfg, &k, &staking)
	if err != nil {
		t.Fatalf("building the app_config app: %v", err)
	}
	ctx := app.BaseApp.NewContext(false)
	if got, want := k.Authority(), authtypes.NewModuleAddress(govtypes.ModuleName).String(); got != want {
		t.Fatalf("authority %s, want x/gov's %s", got, want)
	}
	p, err := k.Params.Get(ctx)
	if err != nil || p.EpochBlocks != types.DefaultParams().EpochBlocks {
		t.Fatalf("params after InitGenesis: %+v %v", p, err)
	}
	power, err := keeper.NewQueryServerImpl(k).AttestedPower(ctx, &types.QueryAttestedPowerRequest{})
	if err != nil || power.BondedValidators != 1 || power.AttestedValidators != 0 {
		t.Fatalf("attested power over the app's bonded set: %+v %v", power, err)
	}
	// x/staking's hooks include ours: removing the validator's status is what AfterValidatorRemoved
	// does, so give the validator a status and call the staking keeper's hooks.
	vals, err := staking.GetBondedValidatorsByPower(ctx)
	if err != nil || len(vals) != 1 {
		t.Fatalf("bonded validators %v %v", vals, err)
	}
	op := vals[0].OperatorAddress
	if err := k.Statuses.Set(ctx, op, types.OperatorStatus{Operator: op, Status: types.OperatorStatus_STATUS_STALE}); err != nil {
		t.Fatal(err)
	}
	valAddr, err := sdk.ValAddressFromBech32(op)
	if err != nil {
		t.Fatal(err)
	}
	if err := staking.Hooks().AfterValidatorRemoved(ctx, nil, valAddr); err != nil {
		t.Fatal(err)
	}
	if ok, _ := k.Statuses.Has(ctx, op); ok {
		t.Fatal("x/staking's hooks do not reach x/snpattest: the status survived AfterValidatorRemoved")
	}
}
