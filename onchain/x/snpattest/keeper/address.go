package keeper

import (
	"bytes"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Every address the module reads from a message, a query or a genesis file goes through the app's
// address codecs, and the state is keyed by the canonical text re-encoded from the decoded bytes
// (lower-case bech32). Bech32 decoders accept an all-upper-case spelling of the same bytes and the SDK
// derives the same signer from it, so keying by the text as sent gave one validator a second binding,
// slot and status under an alias (issue 20).
//
// Messages refuse any other spelling (sdk code 7, naming the canonical text) rather than resolving it:
// the operator and relayer texts are hashed into the report_data binding, and one accepted spelling
// keeps that binding unambiguous. Queries resolve any spelling to the canonical one.

// canonical decodes text with c and returns the canonical text and the bytes.
func canonical(c address.Codec, field, text string) (string, []byte, error) {
	bz, err := c.StringToBytes(text)
	if err != nil {
		return "", nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%s %q: %v", field, text, err)
	}
	canon, err := c.BytesToString(bz)
	if err != nil {
		return "", nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%s %q: %v", field, text, err)
	}
	return canon, bz, nil
}

// strict is canonical, refusing any spelling but the canonical one.
func strict(c address.Codec, field, text string) (string, []byte, error) {
	canon, bz, err := canonical(c, field, text)
	if err != nil {
		return "", nil, err
	}
	if canon != text {
		return "", nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%s %q is not in canonical form: send %s", field, text, canon)
	}
	return canon, bz, nil
}

// operatorArg checks a validator operator address in a message (canonical text only).
func (k Keeper) operatorArg(field, text string) (string, error) {
	canon, _, err := strict(k.valCodec, field, text)
	return canon, err
}

// accountArg checks an account address in a message (canonical text only).
func (k Keeper) accountArg(field, text string) (string, error) {
	canon, _, err := strict(k.accCodec, field, text)
	return canon, err
}

// ResolveOperator returns the canonical text of any spelling of an operator address (queries).
func (k Keeper) ResolveOperator(text string) (string, error) {
	canon, _, err := canonical(k.valCodec, "operator", text)
	return canon, err
}

// CanonicalOperator and CanonicalAccount check a stored or genesis address (canonical text only).
func (k Keeper) CanonicalOperator(text string) error {
	_, err := k.operatorArg("operator", text)
	return err
}

// CanonicalAccount: see CanonicalOperator.
func (k Keeper) CanonicalAccount(text string) error {
	_, err := k.accountArg("account", text)
	return err
}

// checkAuthority: an authority that is not the gov module account (or no address at all) → code 10
// (snpattest ErrUnauthorized); the gov module account spelled other than canonically → sdk code 7.
func (k Keeper) checkAuthority(authority string) error {
	canon, bz, err := canonical(k.accCodec, "authority", authority)
	if err != nil || !bytes.Equal(bz, k.authorityBytes) {
		return errorsmod.Wrapf(types.ErrUnauthorized, "authority is %s, got %q", k.authority, authority)
	}
	if canon != authority {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "authority %q is not in canonical form: send %s", authority, canon)
	}
	return nil
}
