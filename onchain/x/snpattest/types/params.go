package types

import (
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
		// README "Bounded cost" sizes these from the measured cost of one verification.
		MaxAttemptsPerOperatorEpoch: 4,
		MaxAttemptsPerBlock:         100,
		MaxOperatorsPerChip:         1,
		RecordRetentionEpochs:       720,
		PrunePerBlock:               64,
		Enforcement:                 EnforcementNone,
		JailAfterEpochs:             3,
	}
}

// The values of Params.enforcement ("" reads as none: params stored before the field existed).
const (
	EnforcementNone = "none"
	EnforcementJail = "jail"
)

// Jails reports whether enforcement is "jail".
func (p Params) Jails() bool { return p.Enforcement == EnforcementJail }

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
	if p.MaxAttemptsPerOperatorEpoch == 0 {
		return fail("max_attempts_per_operator_epoch must be > 0")
	}
	if p.MaxAttemptsPerBlock == 0 {
		return fail("max_attempts_per_block must be > 0")
	}
	if p.MaxOperatorsPerChip == 0 {
		return fail("max_operators_per_chip must be > 0")
	}
	// The record carrying an ATTESTED status (epoch ≥ current − validity_epochs) must outlive it.
	if uint64(p.RecordRetentionEpochs) < uint64(p.ValidityEpochs)+2 {
		return fail("record_retention_epochs %d must be >= validity_epochs + 2 (%d)", p.RecordRetentionEpochs, uint64(p.ValidityEpochs)+2)
	}
	if p.PrunePerBlock == 0 {
		return fail("prune_per_block must be > 0")
	}
	if _, err := ParseSimulatedRoots(p.SimulatedRoots); err != nil {
		return fail("%v", err)
	}
	if p.AllowDebug && len(p.SimulatedRoots) == 0 {
		return fail("allow_debug requires simulated_roots (debug guests are accepted only on a simulated chain)")
	}
	switch p.Enforcement {
	case "", EnforcementNone:
	case EnforcementJail:
		if p.JailAfterEpochs == 0 {
			return fail("jail_after_epochs must be > 0 with enforcement %q", EnforcementJail)
		}
	default:
		return fail("enforcement %q is not %q or %q", p.Enforcement, EnforcementNone, EnforcementJail)
	}
	return nil
}
