package keeper

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
	"github.com/snprelay/snprelay/onchain/x/snpattest/verify"
)

// VerifyGas is the fixed gas MsgSubmitAttestation consumes (descriptor "snpattest/verify") before
// verifying, so that a rejected report still pays for the work. README.md justifies the number.
const VerifyGas = 300_000

// VerifyGasDescriptor names the gas charge in out-of-gas errors.
const VerifyGasDescriptor = "snpattest/verify"

type msgServer struct {
	Keeper
}

// NewMsgServerImpl returns the snpattest.v1.Msg service over k.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return &msgServer{Keeper: k}
}

var _ types.MsgServer = msgServer{}

// SetRelayer binds a relayer account to a validator operator (replacing any previous binding).
func (m msgServer) SetRelayer(ctx context.Context, msg *types.MsgSetRelayer) (*types.MsgSetRelayerResponse, error) {
	if _, err := m.operatorArg("operator", msg.Operator); err != nil {
		return nil, err
	}
	if _, err := m.accountArg("relayer", msg.Relayer); err != nil {
		return nil, err
	}
	val, err := m.valCodec.StringToBytes(msg.Operator)
	if err != nil {
		return nil, err
	}
	if _, err := m.staking.GetValidator(ctx, val); err != nil {
		if errors.Is(err, stakingtypes.ErrNoValidatorFound) {
			return nil, errorsmod.Wrapf(stakingtypes.ErrNoValidatorFound, "operator %s is not a validator", msg.Operator)
		}
		return nil, err
	}
	if err := m.Relayers.Set(ctx, msg.Operator, msg.Relayer); err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventRelayerSet{Operator: msg.Operator, Relayer: msg.Relayer}); err != nil {
		return nil, err
	}
	return &types.MsgSetRelayerResponse{}, nil
}

// epochOpen returns the NonceEpoch a submission for epoch e may use at the current height, or
// ErrEpochClosed (3). Reading of PROTOCOL.md (README.md "Submission window"): with c the current
// epoch, e is open iff e == c and height < start(c) + submit_window_blocks, or accept_previous_epoch,
// e == c-1 and height < start(c) + submit_window_blocks (a report bound to the nonce of the epoch that
// just ended may still land during the new epoch's window).
func (k Keeper) epochOpen(ctx sdk.Context, params types.Params, e uint64) (types.NonceEpoch, error) {
	cur, err := k.CurrentEpoch.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return types.NonceEpoch{}, errorsmod.Wrapf(types.ErrEpochClosed, "no epoch has started yet (epoch %d)", e)
	} else if err != nil {
		return types.NonceEpoch{}, err
	}
	curEp, err := k.Epochs.Get(ctx, cur)
	if err != nil {
		return types.NonceEpoch{}, err
	}
	h := ctx.BlockHeight()
	if h >= curEp.DeadlineHeight {
		return types.NonceEpoch{}, errorsmod.Wrapf(types.ErrEpochClosed,
			"epoch %d: submit window of current epoch %d closed at height %d (now %d)", e, cur, curEp.DeadlineHeight, h)
	}
	switch {
	case e == cur:
		return curEp, nil
	case params.AcceptPreviousEpoch && cur > 0 && e == cur-1:
		prev, err := k.Epochs.Get(ctx, e)
		if errors.Is(err, collections.ErrNotFound) {
			return types.NonceEpoch{}, errorsmod.Wrapf(types.ErrEpochClosed, "epoch %d is unknown", e)
		} else if err != nil {
			return types.NonceEpoch{}, err
		}
		return prev, nil
	default:
		return types.NonceEpoch{}, errorsmod.Wrapf(types.ErrEpochClosed, "epoch %d is not open (current epoch %d, accept_previous_epoch %t)", e, cur, params.AcceptPreviousEpoch)
	}
}

// precheckSubmission is the cheap part of MsgSubmitAttestation, shared by the handler and the ante
// decorator: canonical addresses (sdk 7), relayer binding (5), governance revocation (2
// OPERATOR_REVOKED), epoch open (3), duplicate (operator, epoch) (4). It returns the NonceEpoch the
// report must be bound to.
func (k Keeper) precheckSubmission(ctx sdk.Context, params types.Params, msg *types.MsgSubmitAttestation) (types.NonceEpoch, error) {
	if _, err := k.accountArg("relayer", msg.Relayer); err != nil {
		return types.NonceEpoch{}, err
	}
	if _, err := k.operatorArg("operator", msg.Operator); err != nil {
		return types.NonceEpoch{}, err
	}
	bound, err := k.Relayers.Get(ctx, msg.Operator)
	if errors.Is(err, collections.ErrNotFound) {
		return types.NonceEpoch{}, errorsmod.Wrapf(types.ErrRelayerNotRegistered, "operator %s has no relayer", msg.Operator)
	} else if err != nil {
		return types.NonceEpoch{}, err
	}
	if bound != msg.Relayer {
		return types.NonceEpoch{}, errorsmod.Wrapf(types.ErrRelayerNotRegistered, "operator %s's relayer is %s, not %s", msg.Operator, bound, msg.Relayer)
	}
	revoked, err := k.GovernanceRevoked.Has(ctx, msg.Operator)
	if err != nil {
		return types.NonceEpoch{}, err
	}
	if revoked {
		return types.NonceEpoch{}, errorsmod.Wrapf(types.ErrReportRejected, "OPERATOR_REVOKED: operator %s is revoked by governance until MsgRestoreOperator", msg.Operator)
	}
	ep, err := k.epochOpen(ctx, params, msg.Epoch)
	if err != nil {
		return types.NonceEpoch{}, err
	}
	// A duplicate is refused here, before an attempt is counted: it costs nothing to find.
	if has, err := k.Attestations.Has(ctx, collections.Join(msg.Operator, msg.Epoch)); err != nil {
		return types.NonceEpoch{}, err
	} else if has {
		return types.NonceEpoch{}, errorsmod.Wrapf(types.ErrDuplicate, "operator %s already has an accepted attestation for epoch %d", msg.Operator, msg.Epoch)
	}
	return ep, nil
}

// SubmitAttestation verifies a report for (operator, epoch) and records it.
func (m msgServer) SubmitAttestation(ctx context.Context, msg *types.MsgSubmitAttestation) (*types.MsgSubmitAttestationResponse, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	ep, err := m.precheckSubmission(sdkCtx, params, msg)
	if err != nil {
		return nil, err
	}
	if n, err := getOrZero(sdkCtx, m.Attempts, collections.Join(msg.Epoch, msg.Operator)); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "no verification attempt was counted for this submission: the app must run keeper.NewAttemptDecorator in its ante handler (README \"Bounded cost\")")
	}
	h := sdkCtx.BlockHeight()
	count, err := m.Submissions.Get(ctx, h)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	// CheckTx and Simulate run at the last committed height: that block's count says nothing about
	// the block the transaction will land in, so only FinalizeBlock enforces the cap.
	if m := sdkCtx.ExecMode(); m == sdk.ExecModeCheck || m == sdk.ExecModeReCheck || m == sdk.ExecModeSimulate {
		count = 0
	}
	if count >= uint64(params.MaxSubmissionsPerBlock) {
		return nil, errorsmod.Wrapf(types.ErrTooManySubmissions, "%d submissions accepted at height %d (max_submissions_per_block %d)", count, h, params.MaxSubmissionsPerBlock)
	}
	curVersion, err := m.currentAllowlistVersion(ctx)
	if err != nil {
		return nil, err
	}
	if msg.AllowlistVersion != curVersion && (curVersion == 0 || msg.AllowlistVersion != curVersion-1) {
		return nil, errorsmod.Wrapf(types.ErrAllowlistSequence, "allowlist_version %d is neither the current (%d) nor the previous version", msg.AllowlistVersion, curVersion)
	}
	vcek, newVcek, err := m.resolveVcek(ctx, params, msg)
	if err != nil {
		return nil, err
	}

	vcekSum := sha256.Sum256(vcek)
	if err := m.checkVcekDenied(ctx, vcekSum[:]); err != nil {
		return nil, err
	}

	// Everything below is the expensive part: charge for it first, so a rejected report still pays.
	sdkCtx.GasMeter().ConsumeGas(VerifyGas, VerifyGasDescriptor)
	roots, err := m.Roots(params)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidParams, "building trust roots: %v", err)
	}
	minTcb, err := collectValues(ctx, m.MinTcb)
	if err != nil {
		return nil, err
	}
	in := verify.Input{
		Report:             msg.Report,
		VcekDER:            vcek,
		ExpectedReportData: types.ReportData(sdkCtx.ChainID(), msg.Epoch, ep.Nonce, msg.Operator, msg.Relayer, msg.AllowlistVersion),
		Params:             params,
		MinTcb:             minTcb,
		Allowlist:          m.allowlistLookup(ctx),
		Height:             h,
		Now:                sdkCtx.BlockTime(),
	}
	res, rej := verify.Verify(in, roots)
	if rej != nil {
		if rej.Code == verify.CodeReportDataMismatch {
			return nil, errorsmod.Wrap(types.ErrBindingMismatch, rej.Error())
		}
		return nil, errorsmod.Wrap(types.ErrReportRejected, rej.Error())
	}
	if res == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "verify returned neither a result nor a rejection")
	}

	if err := m.checkBelowMeasurement(sdkCtx, params, msg.Operator, res); err != nil {
		return nil, err
	}
	if err := m.bindChip(sdkCtx, msg.Operator, res.ChipIDSHA256); err != nil {
		return nil, err
	}

	rec := types.AttestationRecord{
		Operator:         msg.Operator,
		Relayer:          msg.Relayer,
		Epoch:            msg.Epoch,
		Measurement:      res.Measurement,
		ChipIdSha256:     res.ChipIDSHA256,
		ReportedTcb:      &res.ReportedTcb,
		ReportSha256:     res.ReportSHA256,
		VcekSha256:       res.VcekSHA256,
		AskSha256:        res.AskSHA256,
		AllowlistVersion: msg.AllowlistVersion,
		Height:           h,
		BlockTimeUnix:    sdkCtx.BlockTime().Unix(),
		Simulated:        res.Simulated,
	}
	if newVcek {
		if err := m.Vceks.Set(ctx, res.VcekSHA256, vcek); err != nil {
			return nil, err
		}
	}
	if err := m.putRecord(sdkCtx, rec); err != nil {
		return nil, err
	}
	if err := m.Submissions.Set(ctx, h, count+1); err != nil {
		return nil, err
	}
	st, err := m.Statuses.Get(ctx, msg.Operator)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	tcb := res.ReportedTcb
	// The status is carried by one accepted record, and its fields (epoch, validity, measurement, TCB,
	// relayer) and the measurement index are that record's. A record carries it when it is at least as
	// new as the carrying one, or when the carrying one no longer makes the operator ATTESTED (its
	// measurement was revoked, its TCB fell below min_tcb, its entry expired): a late acceptance for the
	// previous epoch then carries the status with its own measurement, so revoking that measurement
	// reaches the operator (issue 20). An older record beside an ATTESTED newer one changes nothing.
	if st.Status != types.OperatorStatus_STATUS_ATTESTED || msg.Epoch >= st.LastEpoch {
		st.LastEpoch = msg.Epoch
		st.ValidUntilEpoch = msg.Epoch + uint64(params.ValidityEpochs)
		st.ConsecutiveMisses = 0
		st.Measurement = res.Measurement
		st.ReportedTcb = &tcb
		st.Relayer = msg.Relayer
		st.Simulated = res.Simulated
	}
	st.Operator = msg.Operator
	st.Status = types.OperatorStatus_STATUS_ATTESTED
	reason := fmt.Sprintf("attestation accepted for epoch %d", msg.Epoch)
	if err := m.setStatus(sdkCtx, st, reason); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventAttestationAccepted{
		Operator: msg.Operator, Relayer: msg.Relayer, Epoch: msg.Epoch, Measurement: res.Measurement,
		ReportedTcb: &tcb, ReportSha256: res.ReportSHA256, Simulated: res.Simulated,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSubmitAttestationResponse{Status: st.Status, ValidUntilEpoch: st.ValidUntilEpoch}, nil
}

// resolveVcek returns the VCEK DER of a submission (from the message, or the stored one it names) and
// whether it is new to the chain.
func (k Keeper) resolveVcek(ctx context.Context, params types.Params, msg *types.MsgSubmitAttestation) ([]byte, bool, error) {
	if len(msg.VcekDer) > 0 {
		if uint64(len(msg.VcekDer)) > params.MaxVcekBytes {
			return nil, false, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "vcek_der is %d bytes, max_vcek_bytes %d", len(msg.VcekDer), params.MaxVcekBytes)
		}
		sum := sha256.Sum256(msg.VcekDer)
		if len(msg.VcekSha256) > 0 && !bytes.Equal(sum[:], msg.VcekSha256) {
			return nil, false, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "vcek_sha256 %x is not the SHA-256 of vcek_der (%x)", msg.VcekSha256, sum[:])
		}
		has, err := k.Vceks.Has(ctx, sum[:])
		if err != nil {
			return nil, false, err
		}
		return msg.VcekDer, !has, nil
	}
	if len(msg.VcekSha256) != sha256.Size {
		return nil, false, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "vcek_der is empty and vcek_sha256 is %d bytes, want 32", len(msg.VcekSha256))
	}
	der, err := k.Vceks.Get(ctx, msg.VcekSha256)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, false, errorsmod.Wrapf(sdkerrors.ErrNotFound, "the chain holds no VCEK with SHA-256 %x; send vcek_der", msg.VcekSha256)
	}
	return der, false, err
}

// allowlistLookup returns the applied, unrevoked entry for a measurement (expiry is verify's check).
func (k Keeper) allowlistLookup(ctx context.Context) verify.AllowlistLookup {
	return func(measurement []byte) (types.AllowlistEntry, bool) {
		e, err := k.Entries.Get(ctx, measurement)
		if err != nil {
			return types.AllowlistEntry{}, false
		}
		return e, true
	}
}

func collectValues[K any, V any](ctx context.Context, m collections.Map[K, V]) ([]V, error) {
	it, err := m.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	return it.Values()
}

// UpdateAllowlist applies a threshold-signed AllowlistUpdate carried by anyone.
func (m msgServer) UpdateAllowlist(ctx context.Context, msg *types.MsgUpdateAllowlist) (*types.MsgUpdateAllowlistResponse, error) {
	if _, err := m.accountArg("submitter", msg.Submitter); err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	u, ids, err := m.checkAllowlistUpdate(sdkCtx, msg.UpdateBytes, msg.Signatures)
	if err != nil {
		return nil, err
	}
	rec := types.AllowlistUpdateRecord{
		Version: u.Version, UpdateBytes: msg.UpdateBytes, Signatures: msg.Signatures, AppliedHeight: sdkCtx.BlockHeight(),
	}
	if err := m.applyAllowlistUpdate(sdkCtx, u, rec, ids, true); err != nil {
		return nil, err
	}
	return &types.MsgUpdateAllowlistResponse{}, nil
}

// SetAllowlistSigners replaces the allowlist signer set (governance).
func (m msgServer) SetAllowlistSigners(ctx context.Context, msg *types.MsgSetAllowlistSigners) (*types.MsgSetAllowlistSignersResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if err := types.ValidateSignerSet(msg.Signers, msg.Threshold); err != nil {
		return nil, err
	}
	cur, err := m.signerSet(ctx)
	if err != nil {
		return nil, err
	}
	next := types.AllowlistSignerSet{Signers: msg.Signers, Threshold: msg.Threshold, SetVersion: cur.SetVersion + 1}
	if err := m.Signers.Set(ctx, next); err != nil {
		return nil, err
	}
	ids := make([]string, len(msg.Signers))
	for i, sk := range msg.Signers {
		ids[i] = sk.KeyId
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventAllowlistSignersSet{
		SetVersion: next.SetVersion, Threshold: next.Threshold, KeyIds: ids,
		Unchanged: sameSignerSet(cur, msg.Signers, msg.Threshold),
	}); err != nil {
		return nil, err
	}
	return &types.MsgSetAllowlistSignersResponse{}, nil
}

// RevokeOperator sets an operator REVOKED until MsgRestoreOperator (governance).
func (m msgServer) RevokeOperator(ctx context.Context, msg *types.MsgRevokeOperator) (*types.MsgRevokeOperatorResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if _, err := m.operatorArg("operator", msg.Operator); err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	st, err := m.Statuses.Get(ctx, msg.Operator)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	st.Operator = msg.Operator
	st.Status = types.OperatorStatus_STATUS_REVOKED
	reason := "governance: " + strings.TrimSpace(msg.Reason)
	st.Reason = reason
	if err := m.setStatus(sdkCtx, st, reason); err != nil {
		return nil, err
	}
	already, err := m.GovernanceRevoked.Has(ctx, msg.Operator)
	if err != nil {
		return nil, err
	}
	if err := m.GovernanceRevoked.Set(ctx, msg.Operator); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventOperatorRevoked{
		Operator: msg.Operator, Reason: reason, AlreadyRevoked: already,
	}); err != nil {
		return nil, err
	}
	return &types.MsgRevokeOperatorResponse{}, nil
}

// RestoreOperator lifts a governance revocation: the operator is STALE until its next attestation.
func (m msgServer) RestoreOperator(ctx context.Context, msg *types.MsgRestoreOperator) (*types.MsgRestoreOperatorResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if _, err := m.operatorArg("operator", msg.Operator); err != nil {
		return nil, err
	}
	revoked, err := m.GovernanceRevoked.Has(ctx, msg.Operator)
	if err != nil {
		return nil, err
	}
	if !revoked {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "operator %s is not revoked by governance", msg.Operator)
	}
	st, err := m.Statuses.Get(ctx, msg.Operator)
	if err != nil {
		return nil, err
	}
	st.Status = types.OperatorStatus_STATUS_STALE
	if err := m.setStatus(sdk.UnwrapSDKContext(ctx), st, "governance revocation lifted"); err != nil {
		return nil, err
	}
	if err := m.GovernanceRevoked.Remove(ctx, msg.Operator); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventOperatorRestored{Operator: msg.Operator}); err != nil {
		return nil, err
	}
	return &types.MsgRestoreOperatorResponse{}, nil
}

// UpdateParams replaces the params as a whole (governance).
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if err := m.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if msg.Params == nil {
		return nil, errorsmod.Wrap(types.ErrInvalidParams, "params missing")
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if len(msg.Params.SimulatedRoots) > 0 {
		allowed, err := m.SimRootsAllowed.Get(ctx)
		if err != nil && !errors.Is(err, collections.ErrNotFound) {
			return nil, err
		}
		if !allowed {
			return nil, errorsmod.Wrap(types.ErrInvalidParams, "simulated_roots may not be set on a chain whose genesis had none")
		}
	}
	old, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := m.Params.Set(ctx, *msg.Params); err != nil {
		return nil, err
	}
	changed := changedParams(old, *msg.Params)
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{
		Changed: changed, Unchanged: len(changed) == 0,
	}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
