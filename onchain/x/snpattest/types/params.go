package types

import (
	"bytes"
	"crypto/x509"
	"fmt"
)

// Products the chain knows (ProductTcb.product, Params.allowed_products).
var knownProducts = []string{"Milan", "Genoa", "Turin"}

// DefaultParams returns the defaults of PROTOCOL.md's Params table.
func DefaultParams() Params {
	return Params{
		EpochBlocks:            600,
		SubmitWindowBlocks:     300,
		AcceptPreviousEpoch:    true,
		ValidityEpochs:         2,
		NonceRetentionEpochs:   48,
		AllowedReportVersions:  []uint32{2, 3, 5},
		AllowedProducts:        []string{"Milan", "Genoa", "Turin"},
		AllowedVmpls:           []uint32{0},
		AllowSmt:               true,
		AllowVlek:              false,
		AllowDebug:             false,
		MaxVcekBytes:           4096,
		MaxSubmissionsPerBlock: 200,
	}
}

// IsKnownProduct reports whether p is one of "Milan", "Genoa", "Turin".
func IsKnownProduct(p string) bool {
	for _, k := range knownProducts {
		if p == k {
			return true
		}
	}
	return false
}

// Validate checks the params as a whole; every failure wraps ErrInvalidParams (code 11) and names the
// field and its value.
func (p Params) Validate() error {
	fail := func(format string, a ...any) error {
		return ErrInvalidParams.Wrap(fmt.Sprintf(format, a...))
	}
	if p.EpochBlocks == 0 {
		return fail("epoch_blocks must be > 0")
	}
	if p.SubmitWindowBlocks == 0 || p.SubmitWindowBlocks > p.EpochBlocks {
		return fail("submit_window_blocks %d must be in [1, epoch_blocks=%d]", p.SubmitWindowBlocks, p.EpochBlocks)
	}
	if p.ValidityEpochs == 0 {
		return fail("validity_epochs must be > 0")
	}
	if p.NonceRetentionEpochs < 2 {
		return fail("nonce_retention_epochs %d must be >= 2 (the current and the previous epoch)", p.NonceRetentionEpochs)
	}
	if len(p.AllowedReportVersions) == 0 {
		return fail("allowed_report_versions is empty")
	}
	seenV := map[uint32]bool{}
	for _, v := range p.AllowedReportVersions {
		if v < 2 || v > 5 {
			return fail("allowed_report_versions: version %d is not in [2, 5]", v)
		}
		if seenV[v] {
			return fail("allowed_report_versions: version %d repeated", v)
		}
		seenV[v] = true
	}
	if len(p.AllowedProducts) == 0 {
		return fail("allowed_products is empty")
	}
	seenP := map[string]bool{}
	for _, prod := range p.AllowedProducts {
		if !IsKnownProduct(prod) {
			return fail("allowed_products: unknown product %q (Milan, Genoa, Turin)", prod)
		}
		if seenP[prod] {
			return fail("allowed_products: product %q repeated", prod)
		}
		seenP[prod] = true
	}
	if len(p.AllowedVmpls) == 0 {
		return fail("allowed_vmpls is empty")
	}
	seenVmpl := map[uint32]bool{}
	for _, v := range p.AllowedVmpls {
		if v > 3 {
			return fail("allowed_vmpls: vmpl %d is not in [0, 3]", v)
		}
		if seenVmpl[v] {
			return fail("allowed_vmpls: vmpl %d repeated", v)
		}
		seenVmpl[v] = true
	}
	if p.MaxVcekBytes < 512 || p.MaxVcekBytes > 65536 {
		return fail("max_vcek_bytes %d must be in [512, 65536]", p.MaxVcekBytes)
	}
	if p.MaxSubmissionsPerBlock == 0 {
		return fail("max_submissions_per_block must be > 0")
	}
	switch len(p.SimulatedRoots) {
	case 0:
	case 2:
		for i, der := range p.SimulatedRoots {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return fail("simulated_roots[%d] is not a DER certificate: %v", i, err)
			}
			if !bytes.Equal(c.Raw, der) {
				return fail("simulated_roots[%d] has trailing bytes", i)
			}
		}
	default:
		return fail("simulated_roots must be empty or [ARK DER, ASK DER], got %d entries", len(p.SimulatedRoots))
	}
	return nil
}
