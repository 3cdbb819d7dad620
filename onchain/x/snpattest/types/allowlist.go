package types

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"

	errorsmod "cosmossdk.io/errors"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	dsecp "github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Sizes of PROTOCOL.md's fixed-length fields.
const (
	MeasurementSize = 48
	FamilyIDSize    = 16
	ImageIDSize     = 16
	HostDataSize    = 32
	HashSize        = 32
	PubKeySize      = 33
	SignatureSize   = 64
)

// ZeroPrevHash is AllowlistUpdate.prev_hash of version 1.
var ZeroPrevHash = make([]byte, HashSize)

// UpdateHash is SHA-256(update_bytes): the next update's prev_hash and EventAllowlistUpdated.update_sha256.
func UpdateHash(updateBytes []byte) []byte {
	s := sha256.Sum256(updateBytes)
	return s[:]
}

// DecodeAllowlistUpdate parses update_bytes strictly: the bytes must be exactly the canonical
// encoding of the message they decode to, so unknown fields, trailing garbage, repeated scalar
// fields and non-minimal varints are all refused (a signer signs bytes; the chain must apply exactly
// what was signed, nothing it skipped). Then every field's shape is checked. Errors wrap
// sdkerrors.ErrInvalidRequest.
func DecodeAllowlistUpdate(updateBytes []byte) (*AllowlistUpdate, error) {
	var u AllowlistUpdate
	if err := u.Unmarshal(updateBytes); err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "update_bytes is not an AllowlistUpdate: %v", err)
	}
	canon, err := u.Marshal()
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidRequest, "update_bytes: %v", err)
	}
	if !bytes.Equal(canon, updateBytes) {
		return nil, errorsmod.Wrap(sdkerrors.ErrInvalidRequest,
			"update_bytes is not the canonical encoding of an AllowlistUpdate (unknown fields or trailing bytes)")
	}
	if err := u.ValidateShape(); err != nil {
		return nil, err
	}
	return &u, nil
}

// ValidateShape checks sizes and uniqueness inside one update (not its version, chain or signatures).
func (u *AllowlistUpdate) ValidateShape() error {
	bad := func(format string, a ...any) error {
		return errorsmod.Wrap(sdkerrors.ErrInvalidRequest, "allowlist update: "+fmt.Sprintf(format, a...))
	}
	if u.ChainId == "" {
		return bad("chain_id is empty")
	}
	if u.Version == 0 {
		return bad("version 0")
	}
	if len(u.PrevHash) != HashSize {
		return bad("prev_hash is %d bytes, want %d", len(u.PrevHash), HashSize)
	}
	if u.ValidUntilHeight < 0 {
		return bad("valid_until_height %d is negative", u.ValidUntilHeight)
	}
	seen := map[string]bool{}
	for i, e := range u.Add {
		if err := e.ValidateShape(); err != nil {
			return bad("add[%d]: %v", i, err)
		}
		if seen[string(e.Measurement)] {
			return bad("add[%d]: measurement %x listed twice", i, e.Measurement)
		}
		seen[string(e.Measurement)] = true
	}
	revoked := map[string]bool{}
	for i, m := range u.Revoke {
		if len(m) != MeasurementSize {
			return bad("revoke[%d] is %d bytes, want %d", i, len(m), MeasurementSize)
		}
		if seen[string(m)] || revoked[string(m)] {
			return bad("revoke[%d]: measurement %x is also added or revoked twice", i, m)
		}
		revoked[string(m)] = true
	}
	products := map[string]bool{}
	for i, t := range u.MinTcb {
		if !IsKnownProduct(t.Product) {
			return bad("min_tcb[%d]: unknown product %q", i, t.Product)
		}
		if products[t.Product] {
			return bad("min_tcb[%d]: product %s listed twice", i, t.Product)
		}
		products[t.Product] = true
	}
	return nil
}

// ValidateShape checks an entry's field sizes (PROTOCOL.md AllowlistEntry).
func (e *AllowlistEntry) ValidateShape() error {
	if len(e.Measurement) != MeasurementSize {
		return fmt.Errorf("measurement is %d bytes, want %d", len(e.Measurement), MeasurementSize)
	}
	if n := len(e.FamilyId); n != 0 && n != FamilyIDSize {
		return fmt.Errorf("family_id is %d bytes, want 0 or %d", n, FamilyIDSize)
	}
	if n := len(e.ImageId); n != 0 && n != ImageIDSize {
		return fmt.Errorf("image_id is %d bytes, want 0 or %d", n, ImageIDSize)
	}
	if n := len(e.HostData); n != 0 && n != HostDataSize {
		return fmt.Errorf("host_data is %d bytes, want 0 or %d", n, HostDataSize)
	}
	if e.ExpiryHeight < 0 {
		return fmt.Errorf("expiry_height %d is negative", e.ExpiryHeight)
	}
	return nil
}

// ValidateSignerSet checks a signer set: 1 ≤ threshold ≤ len(signers), key ids non-empty and unique,
// each pubkey a 33-byte compressed secp256k1 point. Errors wrap ErrInvalidParams.
func ValidateSignerSet(signers []*SignerKey, threshold uint32) error {
	if threshold < 1 || int(threshold) > len(signers) {
		return errorsmod.Wrapf(ErrInvalidParams, "threshold %d must be in [1, %d signers]", threshold, len(signers))
	}
	seen := map[string]bool{}
	for i, s := range signers {
		if s == nil || s.KeyId == "" {
			return errorsmod.Wrapf(ErrInvalidParams, "signers[%d]: empty key_id", i)
		}
		if seen[s.KeyId] {
			return errorsmod.Wrapf(ErrInvalidParams, "signers[%d]: key_id %q repeated", i, s.KeyId)
		}
		seen[s.KeyId] = true
		if len(s.Pubkey) != PubKeySize || (s.Pubkey[0] != 2 && s.Pubkey[0] != 3) {
			return errorsmod.Wrapf(ErrInvalidParams, "signers[%d] (%s): pubkey must be a 33-byte compressed secp256k1 key, got %d bytes", i, s.KeyId, len(s.Pubkey))
		}
		if _, err := dsecp.ParsePubKey(s.Pubkey); err != nil {
			return errorsmod.Wrapf(ErrInvalidParams, "signers[%d] (%s): pubkey is not a curve point: %v", i, s.KeyId, err)
		}
	}
	return nil
}

// VerifyAllowlistSignature reports whether sig is a valid 64-byte compact low-S secp256k1 signature by
// pubkey over AllowlistDigest(updateBytes). The SDK's PubKey.VerifySignature hashes its message with
// SHA-256 itself and refuses high-S, so it is handed the tagged bytes, not the digest.
func VerifyAllowlistSignature(pubkey, updateBytes, sig []byte) bool {
	if len(pubkey) != PubKeySize || len(sig) != SignatureSize {
		return false
	}
	pk := secp256k1.PubKey{Key: pubkey}
	msg := make([]byte, 0, len(allowlistTag)+len(updateBytes))
	msg = append(msg, allowlistTag...)
	msg = append(msg, updateBytes...)
	return pk.VerifySignature(msg, sig)
}

// CheckAllowlistSignatures applies the threshold rule: every signature must name a key id of the
// signer set (else ErrUnauthorized, code 10); each signer counts at most once however often it
// appears; a signature that does not verify (forged, wrong length, high-S) does not count. Fewer than
// threshold valid signers → ErrBelowThreshold (code 7) with "N of T required signatures". On success it
// returns the key ids that signed validly, in the order of the signatures.
func CheckAllowlistSignatures(updateBytes []byte, sigs []*AllowlistSignature, signers []*SignerKey, threshold uint32) ([]string, error) {
	keys := make(map[string][]byte, len(signers))
	for _, s := range signers {
		keys[s.KeyId] = s.Pubkey
	}
	var valid []string
	counted := map[string]bool{}
	var notes []string
	for i, s := range sigs {
		if s == nil {
			return nil, errorsmod.Wrapf(ErrUnauthorized, "signatures[%d] is empty", i)
		}
		pk, ok := keys[s.KeyId]
		if !ok {
			return nil, errorsmod.Wrapf(ErrUnauthorized, "signatures[%d]: key id %q is not in the allowlist signer set", i, s.KeyId)
		}
		if counted[s.KeyId] {
			notes = append(notes, fmt.Sprintf("key id %s signed more than once (counted once)", s.KeyId))
			continue
		}
		if !VerifyAllowlistSignature(pk, updateBytes, s.Signature) {
			notes = append(notes, fmt.Sprintf("signature of key id %s does not verify (64-byte low-S compact required)", s.KeyId))
			continue
		}
		counted[s.KeyId] = true
		valid = append(valid, s.KeyId)
	}
	if threshold == 0 || uint32(len(valid)) < threshold {
		msg := fmt.Sprintf("%d of %d required signatures", len(valid), threshold)
		if threshold == 0 {
			msg += " (no allowlist signer set)"
		}
		if len(notes) > 0 {
			msg += ": " + strings.Join(notes, "; ")
		}
		return nil, errorsmod.Wrap(ErrBelowThreshold, msg)
	}
	return valid, nil
}
