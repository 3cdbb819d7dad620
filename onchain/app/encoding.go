package app

import (
	"cosmossdk.io/x/tx/signing"
	"github.com/cosmos/gogoproto/proto"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/std"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
)

// EncodingConfig bundles the codecs every part of the app and the CLI share.
type EncodingConfig struct {
	InterfaceRegistry codectypes.InterfaceRegistry
	Codec             codec.Codec
	TxConfig          client.TxConfig
	Amino             *codec.LegacyAmino
}

// MakeEncodingConfig builds the interface registry (signers resolved through the merged gogoproto
// and protoreflect registries, so every Msg's cosmos.msg.v1.signer option is found), the proto codec
// and a tx config with the SDK's default sign modes (SIGN_MODE_DIRECT first, which is what the C++
// client and CosmJS use). Module interfaces are registered later by the basic module manager.
func MakeEncodingConfig() EncodingConfig {
	registry, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          addresscodec.NewBech32Codec(Bech32Prefix),
			ValidatorAddressCodec: addresscodec.NewBech32Codec(Bech32Prefix + sdk.PrefixValidator + sdk.PrefixOperator),
		},
	})
	if err != nil {
		panic(err)
	}
	cdc := codec.NewProtoCodec(registry)
	amino := codec.NewLegacyAmino()
	std.RegisterLegacyAminoCodec(amino)
	std.RegisterInterfaces(registry)
	return EncodingConfig{
		InterfaceRegistry: registry,
		Codec:             cdc,
		TxConfig:          authtx.NewTxConfig(cdc, authtx.DefaultSignModes),
		Amino:             amino,
	}
}
