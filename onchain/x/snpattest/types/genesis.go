package types

import (
	"bytes"
	"crypto/x509"
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// DefaultGenesis is PROTOCOL.md's default params, no allowlist signers, no allowlist, no relayers.
func DefaultGenesis() *GenesisState {
	p := DefaultParams()
	return &GenesisState{Params: &p}
}

// Validate checks a genesis state on its own (without a chain id: InitGenesis compares the first
// allowlist update's chain_id with the context's). A fresh chain's first update (fields 4/5) must be
// version 1 with a zero prev_hash and be threshold-signed by the genesis signers. An exported state
// carries its applied history in field 8 instead; that history must be contiguous from version 1 with
// each prev_hash the SHA-256 of the previous update_bytes (its signatures were checked when applied, by
// the signer set of the time, which may since have been replaced).
func (gs *GenesisState) Validate() error {
	if gs.Params == nil {
		return errorsmod.Wrap(ErrInvalidParams, "genesis params missing")
	}
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if len(gs.Signers) > 0 || gs.Threshold != 0 {
		if err := ValidateSignerSet(gs.Signers, gs.Threshold); err != nil {
			return err
		}
	}
	if len(gs.AllowlistUpdateBytes) > 0 && len(gs.AllowlistUpdates) > 0 {
		return errorsmod.Wrap(sdkerrors.ErrInvalidRequest, "genesis: allowlist_update_bytes and allowlist_updates are exclusive")
	}
	if len(gs.AllowlistUpdateBytes) == 0 && len(gs.AllowlistSignatures) > 0 {
		return errorsmod.Wrap(sdkerrors.ErrInvalidRequest, "genesis: allowlist_signatures without allowlist_update_bytes")
	}
	if len(gs.AllowlistUpdateBytes) > 0 {
		u, err := DecodeAllowlistUpdate(gs.AllowlistUpdateBytes)
		if err != nil {
			return err
		}
		if u.Version != 1 || !bytes.Equal(u.PrevHash, ZeroPrevHash) {
			return errorsmod.Wrapf(ErrAllowlistSequence, "genesis allowlist update must be version 1 with a zero prev_hash, got version %d prev_hash %x", u.Version, u.PrevHash)
		}
		if _, err := CheckAllowlistSignatures(gs.AllowlistUpdateBytes, gs.AllowlistSignatures, gs.Signers, gs.Threshold); err != nil {
			return err
		}
	}
	prev := ZeroPrevHash
	for i, r := range gs.AllowlistUpdates {
		if r == nil {
			return errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "genesis allowlist_updates[%d] is empty", i)
		}
		u, err := DecodeAllowlistUpdate(r.UpdateBytes)
		if err != nil {
			return errorsmod.Wrapf(err, "genesis allowlist_updates[%d]", i)
		}
		if u.Version != uint64(i+1) || r.Version != u.Version || !bytes.Equal(u.PrevHash, prev) {
			return errorsmod.Wrapf(ErrAllowlistSequence, "genesis allowlist_updates[%d]: version %d (record %d), prev_hash %x; want version %d prev_hash %x", i, u.Version, r.Version, u.PrevHash, i+1, prev)
		}
		prev = UpdateHash(r.UpdateBytes)
	}
	seenOp := map[string]bool{}
	for i, b := range gs.Relayers {
		if b == nil {
			return errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "genesis relayers[%d] is empty", i)
		}
		if err := CanonicalValAddress(b.Operator); err != nil {
			return errorsmod.Wrapf(err, "genesis relayers[%d]: operator", i)
		}
		if err := CanonicalAccAddress(b.Relayer); err != nil {
			return errorsmod.Wrapf(err, "genesis relayers[%d]: relayer", i)
		}
		if seenOp[b.Operator] {
			return errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "genesis relayers[%d]: operator %s bound twice", i, b.Operator)
		}
		seenOp[b.Operator] = true
	}
	return gs.validateExportedState()
}

// validateExportedState checks fields 9–15 for shape and uniqueness.
func (gs *GenesisState) validateExportedState() error {
	bad := func(format string, a ...any) error {
		return errorsmod.Wrap(sdkerrors.ErrInvalidRequest, "genesis: "+fmt.Sprintf(format, a...))
	}
	seenEpoch := map[uint64]bool{}
	for i, e := range gs.Epochs {
		if e == nil || e.Epoch == 0 || len(e.Nonce) != HashSize || seenEpoch[e.Epoch] {
			return bad("epochs[%d] is empty, epoch 0, has a nonce of the wrong size or repeats an epoch", i)
		}
		seenEpoch[e.Epoch] = true
	}
	seenH := map[int64]bool{}
	for i, h := range gs.BlockHashes {
		if h == nil || h.Height <= 0 || seenH[h.Height] {
			return bad("block_hashes[%d] is empty, has height <= 0 or repeats a height", i)
		}
		seenH[h.Height] = true
	}
	seenS := map[string]bool{}
	for i, s := range gs.Statuses {
		if s == nil {
			return bad("statuses[%d] is empty", i)
		}
		if err := CanonicalValAddress(s.Operator); err != nil {
			return bad("statuses[%d]: operator: %v", i, err)
		}
		if seenS[s.Operator] || s.Status == OperatorStatus_STATUS_UNSPECIFIED {
			return bad("statuses[%d]: operator %s repeated or status unspecified", i, s.Operator)
		}
		seenS[s.Operator] = true
	}
	type opEpoch struct {
		op string
		e  uint64
	}
	seenA := map[opEpoch]bool{}
	for i, a := range gs.Attestations {
		if a == nil {
			return bad("attestations[%d] is empty", i)
		}
		if err := CanonicalValAddress(a.Operator); err != nil {
			return bad("attestations[%d]: operator: %v", i, err)
		}
		k := opEpoch{a.Operator, a.Epoch}
		if seenA[k] {
			return bad("attestations[%d]: (%s, %d) repeated", i, a.Operator, a.Epoch)
		}
		seenA[k] = true
	}
	for i, der := range gs.Vceks {
		if _, err := x509.ParseCertificate(der); err != nil {
			return bad("vceks[%d] is not a DER certificate: %v", i, err)
		}
	}
	for i, op := range gs.GovernanceRevoked {
		if err := CanonicalValAddress(op); err != nil {
			return bad("governance_revoked[%d]: %v", i, err)
		}
	}
	boundOp := map[string]bool{}
	for i, b := range gs.ChipBindings {
		if b == nil || len(b.ChipIdSha256) != HashSize || len(b.Operators) == 0 {
			return bad("chip_bindings[%d] is empty or its chip_id_sha256 is not %d bytes", i, HashSize)
		}
		for _, op := range b.Operators {
			if err := CanonicalValAddress(op); err != nil {
				return bad("chip_bindings[%d]: %v", i, err)
			}
			if boundOp[op] {
				return bad("chip_bindings[%d]: operator %s bound to two chips", i, op)
			}
			boundOp[op] = true
		}
	}
	if gs.SimulatedRootsAllowed && len(gs.Params.SimulatedRoots) == 0 {
		// A chain may ever hold simulated roots only if its genesis carried non-empty ones (issue 20).
		return bad("simulated_roots_allowed is set but params.simulated_roots is empty")
	}
	if len(gs.Params.SimulatedRoots) > 0 && !gs.SimulatedRootsAllowed && len(gs.AllowlistUpdates) > 0 {
		// An exported state always carries the flag when its params have roots.
		return bad("params.simulated_roots set but simulated_roots_allowed is false in an exported state")
	}
	return nil
}

// CanonicalValAddress checks that s is a validator operator address in its canonical text (the
// lower-case bech32 re-encoded from its bytes, with the configured prefix): an alias spelling of one
// operator must not become a second key in the state (issue 20). Errors wrap sdk ErrInvalidAddress.
func CanonicalValAddress(s string) error {
	a, err := sdk.ValAddressFromBech32(s)
	if err != nil {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%q: %v", s, err)
	}
	if a.String() != s {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%q is not in canonical form (%s)", s, a.String())
	}
	return nil
}

// CanonicalAccAddress is CanonicalValAddress for an account address.
func CanonicalAccAddress(s string) error {
	a, err := sdk.AccAddressFromBech32(s)
	if err != nil {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%q: %v", s, err)
	}
	if a.String() != s {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%q is not in canonical form (%s)", s, a.String())
	}
	return nil
}
