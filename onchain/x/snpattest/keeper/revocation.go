package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
	"github.com/snprelay/snprelay/onchain/x/snpattest/verify"
)

// Revocation below the measurement (issue 20), carried by the signed AllowlistUpdate: the allowlist
// signers can act at once (a threshold of signatures, no voting period), which is what a leaked chip
// key, VCEK or ASK — or a product whose root seed is extracted — calls for; governance still controls
// who the signers are. CRLs are not fetched on chain; these lists replace them.

// applyDenials changes the deny sets by u; with live set it also revokes the operators they reach.
func (k Keeper) applyDenials(ctx sdk.Context, u *types.AllowlistUpdate, live bool) error {
	for _, h := range u.DenyChipIdSha256 {
		if err := k.DeniedChips.Set(ctx, h); err != nil {
			return err
		}
	}
	for _, h := range u.UndenyChipIdSha256 {
		if err := k.DeniedChips.Remove(ctx, h); err != nil {
			return err
		}
	}
	for _, h := range u.DenyCertSha256 {
		if err := k.DeniedCerts.Set(ctx, h); err != nil {
			return err
		}
	}
	for _, h := range u.UndenyCertSha256 {
		if err := k.DeniedCerts.Remove(ctx, h); err != nil {
			return err
		}
	}
	for _, p := range u.WithdrawProducts {
		if err := k.WithdrawnProducts.Set(ctx, p); err != nil {
			return err
		}
	}
	for _, p := range u.RestoreProducts {
		if err := k.WithdrawnProducts.Remove(ctx, p); err != nil {
			return err
		}
	}
	if !live || (len(u.DenyChipIdSha256) == 0 && len(u.DenyCertSha256) == 0 && len(u.WithdrawProducts) == 0) {
		return nil
	}
	chips := setOf(u.DenyChipIdSha256)
	certs := setOf(u.DenyCertSha256)
	products := map[string]bool{}
	for _, p := range u.WithdrawProducts {
		products[p] = true
	}
	all, err := k.allStatuses(ctx)
	if err != nil {
		return err
	}
	for _, st := range all {
		if st.Status == types.OperatorStatus_STATUS_REVOKED {
			continue
		}
		reason := ""
		if st.ReportedTcb != nil && products[st.ReportedTcb.Product] && st.Status == types.OperatorStatus_STATUS_ATTESTED {
			reason = fmt.Sprintf("PRODUCT_WITHDRAWN: product %s withdrawn by allowlist version %d", st.ReportedTcb.Product, u.Version)
		}
		if reason == "" && st.LastEpoch > 0 {
			rec, err := k.Attestations.Get(ctx, collections.Join(st.Operator, st.LastEpoch))
			if err != nil && !errors.Is(err, collections.ErrNotFound) {
				return err
			}
			switch {
			case err != nil:
			case chips[string(rec.ChipIdSha256)]:
				reason = fmt.Sprintf("CHIP_DENIED: chip %x denied by allowlist version %d", rec.ChipIdSha256, u.Version)
			case certs[string(rec.VcekSha256)]:
				reason = fmt.Sprintf("CERT_DENIED: VCEK %x denied by allowlist version %d", rec.VcekSha256, u.Version)
			case certs[string(rec.AskSha256)]:
				reason = fmt.Sprintf("CERT_DENIED: ASK %x denied by allowlist version %d", rec.AskSha256, u.Version)
			}
		}
		if reason == "" {
			continue
		}
		st.Status = types.OperatorStatus_STATUS_REVOKED
		if err := k.setStatus(ctx, st, reason); err != nil {
			return err
		}
	}
	return nil
}

func setOf(list [][]byte) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, h := range list {
		m[string(h)] = true
	}
	return m
}

// checkVcekDenied refuses a VCEK named by a deny_cert_sha256 before any verification (code 2).
func (k Keeper) checkVcekDenied(ctx context.Context, vcekSum []byte) error {
	denied, err := k.DeniedCerts.Has(ctx, vcekSum)
	if err != nil {
		return err
	}
	if denied {
		return errorsmod.Wrapf(types.ErrReportRejected, "CERT_DENIED: VCEK %x is denied by the allowlist", vcekSum)
	}
	return nil
}

// checkBelowMeasurement applies the denials to a verified report (code 2) and the chip rule (code 14).
func (k Keeper) checkBelowMeasurement(ctx sdk.Context, params types.Params, operator string, res *verify.Result) error {
	if w, err := k.WithdrawnProducts.Has(ctx, res.Product); err != nil {
		return err
	} else if w {
		return errorsmod.Wrapf(types.ErrReportRejected, "PRODUCT_WITHDRAWN: product %s is withdrawn by the allowlist", res.Product)
	}
	if d, err := k.DeniedChips.Has(ctx, res.ChipIDSHA256); err != nil {
		return err
	} else if d {
		return errorsmod.Wrapf(types.ErrReportRejected, "CHIP_DENIED: chip %x is denied by the allowlist", res.ChipIDSHA256)
	}
	if d, err := k.DeniedCerts.Has(ctx, res.AskSHA256); err != nil {
		return err
	} else if d {
		return errorsmod.Wrapf(types.ErrReportRejected, "CERT_DENIED: ASK %x is denied by the allowlist", res.AskSHA256)
	}
	return k.checkChipBinding(ctx, params, operator, res.ChipIDSHA256)
}

// checkChipBinding: at most max_operators_per_chip validators attest with one CHIP_ID at a time. A
// binding (chip, operator) holds while that operator's status is ATTESTED; a validator that attests
// with another chip moves its binding, and one removed from x/staking loses it (hooks.go). Bindings
// of operators no longer ATTESTED are dropped when met here.
func (k Keeper) checkChipBinding(ctx sdk.Context, params types.Params, operator string, chip []byte) error {
	it, err := k.ChipOperators.Iterate(ctx, collections.NewPrefixedPairRange[[]byte, string](chip))
	if err != nil {
		return err
	}
	keys, err := it.Keys()
	if err != nil {
		return err
	}
	var others []string
	for _, key := range keys {
		op := key.K2()
		if op == operator {
			continue
		}
		st, err := k.Statuses.Get(ctx, op)
		if err != nil && !errors.Is(err, collections.ErrNotFound) {
			return err
		}
		if err != nil || st.Status != types.OperatorStatus_STATUS_ATTESTED {
			if err := k.ChipOperators.Remove(ctx, key); err != nil {
				return err
			}
			continue
		}
		others = append(others, op)
	}
	if uint32(len(others)) >= params.MaxOperatorsPerChip {
		return errorsmod.Wrapf(types.ErrChipBound, "chip %x already attests for %v (max_operators_per_chip %d)", chip, others, params.MaxOperatorsPerChip)
	}
	return nil
}

// bindChip records (chip, operator), moving the operator's previous binding.
func (k Keeper) bindChip(ctx sdk.Context, operator string, chip []byte) error {
	if err := k.unbindChip(ctx, operator); err != nil {
		return err
	}
	if err := k.ChipOperators.Set(ctx, collections.Join(chip, operator)); err != nil {
		return err
	}
	return k.OperatorChip.Set(ctx, operator, chip)
}

func (k Keeper) unbindChip(ctx sdk.Context, operator string) error {
	old, err := k.OperatorChip.Get(ctx, operator)
	if errors.Is(err, collections.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := k.ChipOperators.Remove(ctx, collections.Join(old, operator)); err != nil {
		return err
	}
	return k.OperatorChip.Remove(ctx, operator)
}
