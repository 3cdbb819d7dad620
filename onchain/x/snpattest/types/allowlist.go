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
	if err := checkDenyPair("chip_id_sha256", u.DenyChipIdSha256, u.UndenyChipIdSha256); err != nil {
		return bad("%v", err)
	}
	if err := checkDenyPair("cert_sha256", u.DenyCertSha256, u.UndenyCertSha256); err != nil {
		return bad("%v", err)
	}
	listed := map[string]string{}
	for field, ps := range map[string][]string{"withdraw_products": u.WithdrawProducts, "restore_products": u.RestoreProducts} {
		for i, p := range ps {
			if !IsKnownProduct(p) {
				return bad("%s[%d]: unknown product %q", field, i, p)
			}
			if other, dup := listed[p]; dup {
				return bad("%s[%d]: product %s also in %s", field, i, p, other)
			}
			listed[p] = field
		}
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

// Reason codes of a refused signer set. They are the "error" values of
// tests/data/protocol/signer_sets.json, which the C++ `allowlist verify` and `[allowlist.signers]`
// config check against the same rule.
const (
	SignerSetEmpty          = "EMPTY"            // no signers at all
	SignerSetBadThreshold   = "BAD_THRESHOLD"    // threshold outside 1..len(signers)
	SignerSetEmptyKeyID     = "EMPTY_KEY_ID"     // a signer without a key id
	SignerSetDuplicateKeyID = "DUPLICATE_KEY_ID" // two signers under one key id
	SignerSetNotCompressed  = "NOT_COMPRESSED"   // not 33 bytes starting 02 or 03
	SignerSetNotOnCurve     = "NOT_ON_CURVE"     // 33 bytes with a good prefix, but no curve point
	SignerSetDuplicatePub   = "DUPLICATE_PUBKEY" // one public key under two key ids
)

// SignerSetError is why a signer set is refused: Code is one of the SignerSet* codes.
type SignerSetError struct {
	Code   string
	Detail string
}

func (e *SignerSetError) Error() string { return e.Code + ": " + e.Detail }

// CheckSignerSet applies the signer-set rule (nil when sound): at least one signer, 1 ≤ threshold ≤
// len(signers), and for each signer in order a non-empty key id not used before, a 33-byte compressed
// secp256k1 point, and a public key not used before. Why unique public keys: each signature is counted
// per key id, so one key under two ids would count twice and silently lower the threshold.
func CheckSignerSet(signers []*SignerKey, threshold uint32) *SignerSetError {
	if len(signers) == 0 {
		return &SignerSetError{SignerSetEmpty, fmt.Sprintf("no signers (threshold %d)", threshold)}
	}
	if threshold < 1 || int(threshold) > len(signers) {
		return &SignerSetError{SignerSetBadThreshold, fmt.Sprintf("threshold %d must be in [1, %d signers]", threshold, len(signers))}
	}
	ids := map[string]bool{}
	keys := map[string]string{}
	for i, s := range signers {
		if s == nil || s.KeyId == "" {
			return &SignerSetError{SignerSetEmptyKeyID, fmt.Sprintf("signers[%d] has an empty key_id", i)}
		}
		if ids[s.KeyId] {
			return &SignerSetError{SignerSetDuplicateKeyID, fmt.Sprintf("signers[%d]: key_id %q repeated", i, s.KeyId)}
		}
		ids[s.KeyId] = true
		if len(s.Pubkey) != PubKeySize || (s.Pubkey[0] != 2 && s.Pubkey[0] != 3) {
			return &SignerSetError{SignerSetNotCompressed, fmt.Sprintf("signers[%d] (%s): pubkey must be a 33-byte compressed secp256k1 key (02/03 prefix), got %d bytes", i, s.KeyId, len(s.Pubkey))}
		}
		if _, err := dsecp.ParsePubKey(s.Pubkey); err != nil {
			return &SignerSetError{SignerSetNotOnCurve, fmt.Sprintf("signers[%d] (%s): pubkey is not a curve point: %v", i, s.KeyId, err)}
		}
		if other, dup := keys[string(s.Pubkey)]; dup {
			return &SignerSetError{SignerSetDuplicatePub, fmt.Sprintf("signers[%d] (%s): pubkey %x is already signer %s", i, s.KeyId, s.Pubkey, other)}
		}
		keys[string(s.Pubkey)] = s.KeyId
	}
	return nil
}

// ValidateSignerSet is CheckSignerSet as an error wrapping ErrInvalidParams (code 11), log "CODE: detail".
func ValidateSignerSet(signers []*SignerKey, threshold uint32) error {
	if e := CheckSignerSet(signers, threshold); e != nil {
		return errorsmod.Wrap(ErrInvalidParams, e.Error())
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
	byKey := map[string]bool{}
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
		// A set stored before the unique-pubkey rule may name one key twice: it counts once.
		if byKey[string(pk)] {
			notes = append(notes, fmt.Sprintf("key id %s has the public key of a signer already counted (counted once)", s.KeyId))
			continue
		}
		if !VerifyAllowlistSignature(pk, updateBytes, s.Signature) {
			notes = append(notes, fmt.Sprintf("signature of key id %s does not verify (64-byte low-S compact required)", s.KeyId))
			continue
		}
		counted[s.KeyId] = true
		byKey[string(pk)] = true
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

// checkDenyPair: every hash of deny_<what> and undeny_<what> is 32 bytes and appears once across both.
func checkDenyPair(what string, deny, undeny [][]byte) error {
	seen := map[string]bool{}
	for field, list := range map[string][][]byte{"deny_" + what: deny, "undeny_" + what: undeny} {
		for i, h := range list {
			if len(h) != HashSize {
				return fmt.Errorf("%s[%d] is %d bytes, want %d", field, i, len(h), HashSize)
			}
			if seen[string(h)] {
				return fmt.Errorf("%s[%d]: %x listed twice", field, i, h)
			}
			seen[string(h)] = true
		}
	}
	return nil
}
