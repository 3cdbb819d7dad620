package snpattest

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// AutoCLIOptions describes the query and tx commands client/v2 builds from the services. bytes
// arguments accept a file path, hex or base64 (client/v2 binary flag); empty signer fields come from
// --from. Governance messages are sent as proposals (GovProposal).
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "CurrentEpoch", Use: "current-epoch", Short: "The current nonce epoch and blocks left in its submit window"},
				{RpcMethod: "Epoch", Use: "epoch [epoch]", Short: "A retained nonce epoch",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "epoch"}}},
				{RpcMethod: "Allowlist", Use: "allowlist", Short: "The applied allowlist (--version 0 = latest)"},
				{RpcMethod: "AllowlistUpdates", Use: "allowlist-updates", Short: "Applied allowlist updates from --from-version (at most --limit, <= 100)"},
				{RpcMethod: "AllowlistSigners", Use: "signers", Short: "The allowlist signer set and threshold"},
				{RpcMethod: "OperatorStatus", Use: "status [operator]", Short: "An operator's attestation status",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}}},
				{RpcMethod: "OperatorStatuses", Use: "statuses", Short: "Every operator's status (--status attested|stale|revoked filters)"},
				{RpcMethod: "Attestation", Use: "attestation [operator] [epoch]", Short: "The accepted attestation of an operator in an epoch",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}, {ProtoField: "epoch"}}},
				{RpcMethod: "Relayer", Use: "relayer [operator]", Short: "The relayer account bound to an operator",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}}},
				{RpcMethod: "Params", Use: "params", Short: "The module params"},
				{RpcMethod: "AttestedPower", Use: "power", Short: "Bonded validators and tokens, and the ATTESTED part of them (count and share)"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "SubmitAttestation", Use: "submit-attestation [operator] [epoch] [report] [vcek-der] [allowlist-version]",
					Short: "Submit an SNP report bound to an epoch's nonce (signed by the registered relayer, --from)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "operator"}, {ProtoField: "epoch"}, {ProtoField: "report"}, {ProtoField: "vcek_der"}, {ProtoField: "allowlist_version"},
					}},
				{RpcMethod: "SetRelayer", Use: "set-relayer [relayer]",
					Short:          "Bind a relayer account to the validator whose operator key signs (--from)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "relayer"}}},
				{RpcMethod: "UpdateAllowlist", Use: "update-allowlist [update-bytes]",
					Short:          "Carry a threshold-signed allowlist update (--signatures key_id/signature pairs as JSON)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "update_bytes"}}},
				{RpcMethod: "SetAllowlistSigners", GovProposal: true, Use: "set-allowlist-signers",
					Short: "Governance proposal: replace the allowlist signer set"},
				{RpcMethod: "RevokeOperator", GovProposal: true, Use: "revoke-operator [operator] [reason]",
					Short:          "Governance proposal: revoke an operator until restored",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}, {ProtoField: "reason"}}},
				{RpcMethod: "RestoreOperator", GovProposal: true, Use: "restore-operator [operator]",
					Short:          "Governance proposal: lift a governance revocation",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}}},
				{RpcMethod: "UpdateParams", GovProposal: true, Use: "update-params",
					Short: "Governance proposal: replace the module params"},
			},
		},
	}
}
