// Package snpattest is the x/snpattest Cosmos SDK module: per-epoch nonces, relayer bindings,
// on-chain verification of AMD SEV-SNP attestation reports, the governance-signed measurement
// allowlist and operator status (PROTOCOL.md). README.md says how a chain wires it in.
package snpattest

import (
	"context"
	"encoding/json"
	"fmt"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/core/appmodule"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	"google.golang.org/grpc"

	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// ConsensusVersion is the state layout version (bumped with a migration when the layout changes).
// 2: operators and relayers keyed by canonical address text (keeper.Migrator.Migrate1to2).
const ConsensusVersion = 2

var (
	_ module.AppModuleBasic      = AppModule{}
	_ module.HasGenesis          = AppModule{}
	_ module.HasConsensusVersion = AppModule{}
	_ appmodule.AppModule        = AppModule{}
	_ appmodule.HasBeginBlocker  = AppModule{}
	_ appmodule.HasServices      = AppModule{}
	_ autocli.HasAutoCLIConfig   = AppModule{}
)

// AppModule is the snpattest module for the module manager.
type AppModule struct {
	cdc    codec.Codec
	keeper keeper.Keeper
}

// NewAppModule wraps k.
func NewAppModule(cdc codec.Codec, k keeper.Keeper) AppModule {
	return AppModule{cdc: cdc, keeper: k}
}

// IsOnePerModuleType implements appmodule.AppModule.
func (AppModule) IsOnePerModuleType() {}

// IsAppModule implements appmodule.AppModule.
func (AppModule) IsAppModule() {}

// Name is "snpattest".
func (AppModule) Name() string { return types.ModuleName }

// RegisterLegacyAminoCodec registers the messages' amino names.
func (AppModule) RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	types.RegisterLegacyAminoCodec(cdc)
}

// RegisterInterfaces registers the messages and the Msg service.
func (AppModule) RegisterInterfaces(reg codectypes.InterfaceRegistry) { types.RegisterInterfaces(reg) }

// RegisterGRPCGatewayRoutes registers the REST routes of every query (the google.api.http
// annotations of query.proto, e.g. GET /snpattest/v1/status/{operator}) on the node's API server.
func (AppModule) RegisterGRPCGatewayRoutes(clientCtx client.Context, mux *runtime.ServeMux) {
	if err := types.RegisterQueryHandlerClient(context.Background(), mux, types.NewQueryClient(clientCtx)); err != nil {
		panic(fmt.Sprintf("%s: registering the REST gateway: %v", types.ModuleName, err))
	}
}

// ConsensusVersion implements module.HasConsensusVersion.
func (AppModule) ConsensusVersion() uint64 { return ConsensusVersion }

// RegisterServices registers the Msg and Query services.
func (am AppModule) RegisterServices(reg grpc.ServiceRegistrar) error {
	types.RegisterMsgServer(reg, keeper.NewMsgServerImpl(am.keeper))
	types.RegisterQueryServer(reg, keeper.NewQueryServerImpl(am.keeper))
	// The module manager hands a module.Configurator here; it alone registers migrations.
	if cfg, ok := reg.(module.Configurator); ok {
		m := keeper.NewMigrator(am.keeper)
		if err := cfg.RegisterMigration(types.ModuleName, 1, m.Migrate1to2); err != nil {
			return err
		}
	}
	return nil
}

// DefaultGenesis is PROTOCOL.md's default params and nothing else.
func (AppModule) DefaultGenesis(cdc codec.JSONCodec) json.RawMessage {
	return cdc.MustMarshalJSON(types.DefaultGenesis())
}

// ValidateGenesis decodes and validates the module's genesis.
func (AppModule) ValidateGenesis(cdc codec.JSONCodec, _ client.TxEncodingConfig, bz json.RawMessage) error {
	var gs types.GenesisState
	if err := cdc.UnmarshalJSON(bz, &gs); err != nil {
		return fmt.Errorf("decoding %s genesis: %w", types.ModuleName, err)
	}
	return gs.Validate()
}

// InitGenesis loads the module's genesis; a state the keeper refuses stops the chain at InitChain.
func (am AppModule) InitGenesis(ctx sdk.Context, cdc codec.JSONCodec, bz json.RawMessage) {
	var gs types.GenesisState
	cdc.MustUnmarshalJSON(bz, &gs)
	if err := am.keeper.InitGenesis(ctx, &gs); err != nil {
		panic(fmt.Sprintf("%s InitGenesis: %v", types.ModuleName, err))
	}
}

// ExportGenesis writes the module's whole state.
func (am AppModule) ExportGenesis(ctx sdk.Context, cdc codec.JSONCodec) json.RawMessage {
	gs, err := am.keeper.ExportGenesis(ctx)
	if err != nil {
		panic(fmt.Sprintf("%s ExportGenesis: %v", types.ModuleName, err))
	}
	return cdc.MustMarshalJSON(gs)
}

// BeginBlock keeps the block-hash ring and starts epochs (keeper/abci.go).
func (am AppModule) BeginBlock(ctx context.Context) error {
	return am.keeper.BeginBlock(ctx)
}
