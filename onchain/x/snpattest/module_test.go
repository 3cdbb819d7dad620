package snpattest_test

import (
	"testing"

	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc"

	"github.com/snprelay/snprelay/onchain/x/snpattest"
	"github.com/snprelay/snprelay/onchain/x/snpattest/keeper"
	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Every autocli command names an RPC method of its service (client/v2 fails at startup otherwise), every
// query has a command, and the three relayer-facing transactions plus the four governance ones appear.
func TestAutoCLIOptionsNameRealMethods(t *testing.T) {
	opts := snpattest.AppModule{}.AutoCLIOptions()
	for _, svc := range []struct {
		name    string
		methods []string
		gov     map[string]bool
		cmds    int
	}{
		{types.Query_serviceDesc.ServiceName, methodNames(types.Query_serviceDesc.Methods), nil, len(types.Query_serviceDesc.Methods)},
		{types.Msg_serviceDesc.ServiceName, methodNames(types.Msg_serviceDesc.Methods),
			map[string]bool{"SetAllowlistSigners": true, "RevokeOperator": true, "RestoreOperator": true, "UpdateParams": true}, 7},
	} {
		desc := opts.Query
		if svc.gov != nil {
			desc = opts.Tx
		}
		if desc.Service != svc.name {
			t.Fatalf("service %q, want %q", desc.Service, svc.name)
		}
		if len(desc.RpcCommandOptions) != svc.cmds {
			t.Fatalf("%s: %d commands, want %d", svc.name, len(desc.RpcCommandOptions), svc.cmds)
		}
		for _, c := range desc.RpcCommandOptions {
			found := false
			for _, m := range svc.methods {
				found = found || m == c.RpcMethod
			}
			if !found {
				t.Errorf("%s: command for unknown method %s", svc.name, c.RpcMethod)
			}
			if svc.gov != nil && c.GovProposal != svc.gov[c.RpcMethod] {
				t.Errorf("%s: GovProposal %t", c.RpcMethod, c.GovProposal)
			}
		}
	}
}

func methodNames(ms []grpc.MethodDesc) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.MethodName)
	}
	return out
}

func TestModuleGenesisJSON(t *testing.T) {
	enc := moduletestutil.MakeTestEncodingConfig(snpattest.AppModule{})
	am := snpattest.NewAppModule(enc.Codec, keeper.Keeper{})
	bz := am.DefaultGenesis(enc.Codec)
	if err := am.ValidateGenesis(enc.Codec, nil, bz); err != nil {
		t.Fatalf("default genesis invalid: %v\n%s", err, bz)
	}
	if err := am.ValidateGenesis(enc.Codec, nil, []byte(`{"params":{"epoch_blocks":"0"}}`)); err == nil {
		t.Fatal("epoch_blocks 0 accepted")
	}
	// Every message is registered as an sdk.Msg under its proto name.
	for _, m := range []proto.Message{&types.MsgSubmitAttestation{}, &types.MsgSetRelayer{}, &types.MsgUpdateAllowlist{},
		&types.MsgSetAllowlistSigners{}, &types.MsgRevokeOperator{}, &types.MsgRestoreOperator{}, &types.MsgUpdateParams{}} {
		if _, err := enc.InterfaceRegistry.Resolve("/" + proto.MessageName(m)); err != nil {
			t.Errorf("%s not registered: %v", proto.MessageName(m), err)
		}
	}
}
