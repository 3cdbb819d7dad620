package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the module's messages under their amino.name (tx.proto) so that
// SIGN_MODE_LEGACY_AMINO_JSON and the gov proposal JSON can name them.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	cdc.RegisterConcrete(&MsgSubmitAttestation{}, "snpattest/MsgSubmitAttestation", nil)
	cdc.RegisterConcrete(&MsgSetRelayer{}, "snpattest/MsgSetRelayer", nil)
	cdc.RegisterConcrete(&MsgUpdateAllowlist{}, "snpattest/MsgUpdateAllowlist", nil)
	cdc.RegisterConcrete(&MsgSetAllowlistSigners{}, "snpattest/MsgSetAllowlistSigners", nil)
	cdc.RegisterConcrete(&MsgRevokeOperator{}, "snpattest/MsgRevokeOperator", nil)
	cdc.RegisterConcrete(&MsgRestoreOperator{}, "snpattest/MsgRestoreOperator", nil)
	cdc.RegisterConcrete(&MsgUpdateParams{}, "snpattest/x/snpattest/MsgUpdateParams", nil)
}

// RegisterInterfaces registers every Msg as an sdk.Msg implementation and the Msg service descriptor
// (the SDK refuses a Msg service whose request types are not registered).
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgSubmitAttestation{},
		&MsgSetRelayer{},
		&MsgUpdateAllowlist{},
		&MsgSetAllowlistSigners{},
		&MsgRevokeOperator{},
		&MsgRestoreOperator{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
