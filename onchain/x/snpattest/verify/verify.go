// Package verify decides whether one SNP attestation report, with its VCEK, satisfies the snpattest
// rules (DESIGN.md §4, PROTOCOL.md "Verification on chain"): go-sev-guest checks the certificate chain
// against explicitly pinned roots and the report signature, then this package applies the rules
// go-sev-guest does not know (binding, allowlist entry and its constraints, min_tcb per product, VMPL,
// VLEK, debug, SMT). It is pure: no state, no clock, no network, no goroutines; the caller passes the
// block time and everything else. Every rejection carries the stable code the C++ verifier
// (attest/verdict.hpp) uses for the same failure.
package verify

import (
	"time"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Stable rejection codes, identical to attest::failure_code_name in the C++ verifier.
const (
	CodeSizeInvalid              = "SIZE_INVALID"
	CodeVersionUnsupported       = "VERSION_UNSUPPORTED"
	CodeSignatureAlgoUnsupported = "SIGNATURE_ALGO_UNSUPPORTED"
	CodeSignatureEncoding        = "SIGNATURE_ENCODING"
	CodeSignatureInvalid         = "SIGNATURE_INVALID"
	CodeReservedNonzero          = "RESERVED_NONZERO"
	CodeReportDataMismatch       = "REPORT_DATA_MISMATCH"
	CodeVmplNotAllowed           = "VMPL_NOT_ALLOWED"
	CodeDebugPolicy              = "DEBUG_POLICY"
	CodePolicyViolation          = "POLICY_VIOLATION"
	CodeSignerNotAllowed         = "SIGNER_NOT_ALLOWED"
	CodeChipIDMasked             = "CHIP_ID_MASKED"
	CodeMeasurementNotAllowed    = "MEASUREMENT_NOT_ALLOWED"
	CodeChainUntrusted           = "CHAIN_UNTRUSTED"
	CodeCertNotValidAtTime       = "CERT_NOT_VALID_AT_TIME"
	CodeCertRevoked              = "CERT_REVOKED"
	CodeProductMismatch          = "PRODUCT_MISMATCH"
	CodeVcekChipMismatch         = "VCEK_CHIP_MISMATCH"
	CodeVcekTcbMismatch          = "VCEK_TCB_MISMATCH"
	CodeTcbBelowMinimum          = "TCB_BELOW_MINIMUM"
)

// Rejection is why a report was refused: a stable Code and a Detail naming the field and both values.
type Rejection struct {
	Code   string
	Detail string
}

func (r *Rejection) Error() string { return r.Code + ": " + r.Detail }

// AllowlistLookup returns the applied, unrevoked entry for a 48-byte measurement, or false.
// Entry expiry (expiry_height) is checked by Verify against Input.Height.
type AllowlistLookup func(measurement []byte) (types.AllowlistEntry, bool)

// Input is everything one verification needs. Params are the chain's params at block time.
type Input struct {
	Report             []byte // the 1184-byte report
	VcekDER            []byte // the VCEK (or VLEK) certificate, DER
	ExpectedReportData []byte // 64 bytes: types.ReportData(...) for the message
	Params             types.Params
	MinTcb             []types.ProductTcb // the allowlist's min_tcb, per product; absent product = no minimum
	Allowlist          AllowlistLookup
	Height             int64     // block height, for entry expiry
	Now                time.Time // block time, for certificate validity
}

// Result is what an accepted report established, for the AttestationRecord and the status.
type Result struct {
	Product      string // "Milan", "Genoa" or "Turin"
	Version      uint32
	Measurement  []byte // 48
	ChipIDSHA256 []byte // 32
	ReportSHA256 []byte // 32
	VcekSHA256   []byte // 32
	AskSHA256    []byte // 32: the ASK/ASVK the VEK chained to
	ReportedTcb  types.ProductTcb
	Policy       uint64
	Vmpl         uint32
	Simulated    bool // the VCEK chains to Params.SimulatedRoots, not to AMD's roots
}

// Roots are the trust anchors of one params version: AMD's ARK/ASK (VCEK and VLEK) for Milan, Genoa
// and Turin from go-sev-guest's embedded bundles, plus, only when Params.SimulatedRoots is set, the
// simulated firmware's ARK and ASK. Build once per params change (NewRoots), then share read-only.
type Roots struct {
	amd       *rootSet // implementation detail of roots.go
	simulated *rootSet // nil unless simulated_roots is set
}

// NewRoots pins AMD's embedded roots and, when simulatedRoots holds exactly [ARK DER, ASK DER], the
// simulated firmware's. An empty simulatedRoots means no simulated report is ever accepted.
func NewRoots(simulatedRoots [][]byte) (*Roots, error) {
	amd, err := amdRootSet()
	if err != nil {
		return nil, err
	}
	r := &Roots{amd: amd}
	if len(simulatedRoots) != 0 {
		if r.simulated, err = simulatedRootSet(simulatedRoots); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Verify runs every check; the first failure (cheap checks first, DESIGN.md §4 order) is returned.
// Exactly one of the two results is non-nil.
func Verify(in Input, roots *Roots) (*Result, *Rejection) {
	if roots == nil || roots.amd == nil {
		return nil, reject(CodeChainUntrusted, "no trust roots (verify.NewRoots was not called)")
	}
	return verifyReport(&in, roots)
}
