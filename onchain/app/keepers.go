package app

import (
	corestore "cosmossdk.io/core/store"
	storetypes "cosmossdk.io/store/types"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	consensuskeeper "github.com/cosmos/cosmos-sdk/x/consensus/keeper"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	distrkeeper "github.com/cosmos/cosmos-sdk/x/distribution/keeper"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	govkeeper "github.com/cosmos/cosmos-sdk/x/gov/keeper"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	slashingkeeper "github.com/cosmos/cosmos-sdk/x/slashing/keeper"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
)

// moduleAccountPermissions are the module accounts and what each may do with coins. x/gov burns
// rejected deposits; the staking pools hold bonded and unbonding stake.
var moduleAccountPermissions = map[string][]string{
	authtypes.FeeCollectorName:     nil,
	distrtypes.ModuleName:          nil,
	stakingtypes.BondedPoolName:    {authtypes.Burner, authtypes.Staking},
	stakingtypes.NotBondedPoolName: {authtypes.Burner, authtypes.Staking},
	govtypes.ModuleName:            {authtypes.Burner},
}

// blockedAddresses are the module accounts bank refuses to send to (all of them, as in simapp).
func blockedAddresses() map[string]bool {
	blocked := make(map[string]bool, len(moduleAccountPermissions))
	for name := range moduleAccountPermissions {
		blocked[authtypes.NewModuleAddress(name).String()] = true
	}
	return blocked
}

// storeKeyNames lists every module with a KV store; snpattest's key comes from snpattestStoreKeys.
func storeKeyNames() []string {
	names := []string{
		authtypes.StoreKey, banktypes.StoreKey, stakingtypes.StoreKey, distrtypes.StoreKey,
		govtypes.StoreKey, consensustypes.StoreKey, slashingtypes.StoreKey,
	}
	return append(names, snpattestStoreKeys()...)
}

// GovAuthority is the x/gov module account: the authority of every MsgUpdateParams-style message.
func GovAuthority() string {
	return authtypes.NewModuleAddress(govtypes.ModuleName).String()
}

// initKeepers creates the keepers in dependency order. Every keeper takes the gov module account
// as its authority, so parameters change only through a governance proposal.
func (app *App) initKeepers(keys map[string]*storetypes.KVStoreKey) {
	cdc := app.appCodec
	authority := GovAuthority()
	kvs := func(name string) corestore.KVStoreService { return runtime.NewKVStoreService(keys[name]) }

	app.ConsensusParamsKeeper = consensuskeeper.NewKeeper(cdc, kvs(consensustypes.StoreKey), authority,
		runtime.EventService{})
	app.SetParamStore(app.ConsensusParamsKeeper.ParamsStore)

	app.AccountKeeper = authkeeper.NewAccountKeeper(cdc, kvs(authtypes.StoreKey), authtypes.ProtoBaseAccount,
		moduleAccountPermissions, addresscodec.NewBech32Codec(Bech32Prefix), Bech32Prefix, authority)

	app.BankKeeper = bankkeeper.NewBaseKeeper(cdc, kvs(banktypes.StoreKey), app.AccountKeeper,
		blockedAddresses(), authority, app.Logger())

	app.StakingKeeper = stakingkeeper.NewKeeper(cdc, kvs(stakingtypes.StoreKey), app.AccountKeeper,
		app.BankKeeper, authority,
		addresscodec.NewBech32Codec(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator),
		addresscodec.NewBech32Codec(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus))

	app.DistrKeeper = distrkeeper.NewKeeper(cdc, kvs(distrtypes.StoreKey), app.AccountKeeper, app.BankKeeper,
		app.StakingKeeper, authtypes.FeeCollectorName, authority)

	app.GovKeeper = govkeeper.NewKeeper(cdc, kvs(govtypes.StoreKey), app.AccountKeeper, app.BankKeeper,
		app.StakingKeeper, app.DistrKeeper, app.MsgServiceRouter(), govtypes.DefaultConfig(), authority)

	// x/slashing: downtime jailing, MsgUnjail, and the jailing of x/snpattest's enforcement "jail".
	app.SlashingKeeper = slashingkeeper.NewKeeper(cdc, app.legacyAmino, kvs(slashingtypes.StoreKey),
		app.StakingKeeper, authority)

	app.initSnpattestKeeper(keys)

	// Staking notifies distribution of delegation changes (reward bookkeeping), slashing of bonded
	// validators (signing info) and x/snpattest of a removed validator (it drops the binding, status
	// and chip binding; issue 20 bounded state).
	app.StakingKeeper.SetHooks(stakingtypes.NewMultiStakingHooks(app.DistrKeeper.Hooks(),
		app.SlashingKeeper.Hooks(), app.snpattest.Keeper.Hooks()))
}
