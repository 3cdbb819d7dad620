package verify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/go-sev-guest/abi"
	sevsnp "github.com/google/go-sev-guest/proto/sevsnp"
	gsverify "github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// Report layout (AMD ABI 56860 Table 23, docs/snp-report.md).
const (
	reportSize   = 0x4A0
	signedSize   = 0x2A0
	offSigR      = 0x2A0
	offSigS      = 0x2E8
	sigComponent = 72
)

// p384Order is n of NIST P-384.
var p384Order, _ = new(big.Int).SetString(
	"ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973", 16)

// report is the raw report with typed accessors for the fields the rules read.
type report []byte

func (r report) u32(off int) uint32         { return binary.LittleEndian.Uint32(r[off:]) }
func (r report) u64(off int) uint64         { return binary.LittleEndian.Uint64(r[off:]) }
func (r report) version() uint32            { return r.u32(0x00) }
func (r report) guestSvn() uint32           { return r.u32(0x04) }
func (r report) policy() uint64             { return r.u64(0x08) }
func (r report) familyID() []byte           { return r[0x10:0x20] }
func (r report) imageID() []byte            { return r[0x20:0x30] }
func (r report) vmpl() uint32               { return r.u32(0x30) }
func (r report) sigAlgo() uint32            { return r.u32(0x34) }
func (r report) currentTcb() uint64         { return r.u64(0x38) }
func (r report) platformInfo() uint64       { return r.u64(0x40) }
func (r report) keyInfo() uint32            { return r.u32(0x48) }
func (r report) reportData() []byte         { return r[0x50:0x90] }
func (r report) measurement() []byte        { return r[0x90:0xC0] }
func (r report) hostData() []byte           { return r[0xC0:0xE0] }
func (r report) reportedTcb() uint64        { return r.u64(0x180) }
func (r report) hasCpuid() bool             { return r.version() >= 3 }
func (r report) chipID() []byte             { return r[0x1A0:0x1E0] }
func (r report) committedTcb() uint64       { return r.u64(0x1E0) }
func (r report) currentFw() (b, mi, ma int) { return int(r[0x1E8]), int(r[0x1E9]), int(r[0x1EA]) }
func (r report) committedFw() (b, mi, ma int) {
	return int(r[0x1EC]), int(r[0x1ED]), int(r[0x1EE])
}
func (r report) signingKey() uint32 { return (r.keyInfo() >> 2) & 7 }

// Guest POLICY bits (AMD ABI; attest/report_bits.hpp).
const (
	policySMT      = 1 << 16
	policyMustBe1  = 1 << 17
	policyMigrate  = 1 << 18
	policyDebug    = 1 << 19
	policyCXL      = 1 << 21
	policyReserved = ^uint64(1<<26 - 1)
)

func reject(code, format string, args ...any) *Rejection {
	return &Rejection{Code: code, Detail: fmt.Sprintf(format, args...)}
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// productFromCpuid mirrors attest::product_from_cpuid.
func productFromCpuid(family, model byte) string {
	switch {
	case family == 0x19 && model <= 0x0F:
		return "Milan"
	case family == 0x19 && (model >= 0x10 && model <= 0x1F || model >= 0xA0 && model <= 0xAF):
		return "Genoa"
	case family == 0x1A && model <= 0x11:
		return "Turin"
	}
	return "unknown"
}

// tcbParts is one TCB in its product's layout; fmc only on Turin.
type tcbParts struct {
	fmc, bl, tee, snp, ucode uint32
	turin                    bool
}

func decodeTcb(raw uint64, product string) tcbParts {
	b := func(i int) uint32 { return uint32(raw>>(8*i)) & 0xFF }
	if product == "Turin" {
		return tcbParts{fmc: b(0), bl: b(1), tee: b(2), snp: b(3), ucode: b(7), turin: true}
	}
	return tcbParts{bl: b(0), tee: b(1), snp: b(6), ucode: b(7)}
}

func (t tcbParts) String() string {
	s := fmt.Sprintf("bl=%d tee=%d snp=%d ucode=%d", t.bl, t.tee, t.snp, t.ucode)
	if t.turin {
		s = fmt.Sprintf("fmc=%d ", t.fmc) + s
	}
	return s
}

// le: every component of a <= b's.
func (t tcbParts) le(b tcbParts) bool {
	return t.bl <= b.bl && t.tee <= b.tee && t.snp <= b.snp && t.ucode <= b.ucode && (!t.turin || t.fmc <= b.fmc)
}

func listU32(v []uint32) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func containsU32(v []uint32, x uint32) bool {
	for _, y := range v {
		if y == x {
			return true
		}
	}
	return false
}

// reservedRanges are the must-be-zero byte ranges of the report by version (attest nonzero_reserved):
// before v5 the mitigation vectors are reserved too; after the signature everything is reserved.
func reservedRanges(version uint32) [][2]int {
	cpuidStart, tailStart := 0x188, 0x1F8
	if version >= 3 {
		cpuidStart = 0x18B
	}
	if version >= 5 {
		tailStart = 0x208
	}
	return [][2]int{{0x04C, 0x050}, {cpuidStart, 0x1A0}, {0x1EB, 0x1EC}, {0x1EF, 0x1F0}, {tailStart, 0x2A0}, {0x330, 0x4A0}}
}

// sigComponentProblem: upper 24 of 72 little-endian bytes zero, 0 < value < n.
func sigComponentProblem(le []byte, name string) string {
	if !allZero(le[48:]) {
		return name + " has non-zero bytes in its upper 24 (of 72) bytes"
	}
	v := leInt(le[:48])
	if v.Sign() == 0 {
		return name + " is zero"
	}
	if v.Cmp(p384Order) >= 0 {
		return name + " is not below the P-384 group order"
	}
	return ""
}

func leInt(le []byte) *big.Int {
	be := make([]byte, len(le))
	for i := range le {
		be[len(le)-1-i] = le[i]
	}
	return new(big.Int).SetBytes(be)
}

// verifyReport runs DESIGN.md §4 in the C++ verifier's order (attest/verify.cpp: header, binding,
// policy, signer, measurement, chain and its binding to the report, TCB, signature) and returns the
// first failure, which is the first failure the C++ verdict lists for the same input.
func verifyReport(in *Input, roots *Roots) (*Result, *Rejection) {
	p := &in.Params
	// 1. header
	if len(in.Report) != reportSize {
		return nil, reject(CodeSizeInvalid, "report is %d bytes, expected %d", len(in.Report), reportSize)
	}
	r := report(in.Report)
	if !containsU32(p.AllowedReportVersions, r.version()) {
		return nil, reject(CodeVersionUnsupported, "VERSION is %d, accepted: %s", r.version(), listU32(p.AllowedReportVersions))
	}
	if r.sigAlgo() != 1 {
		return nil, reject(CodeSignatureAlgoUnsupported, "SIGNATURE_ALGO is %d, expected 1 (ECDSA P-384 with SHA-384)", r.sigAlgo())
	}
	for _, rg := range reservedRanges(r.version()) {
		for i := rg[0]; i < rg[1]; i++ {
			if r[i] != 0 {
				return nil, reject(CodeReservedNonzero, "reserved bytes 0x%03x..0x%03x must be zero; byte 0x%03x is 0x%02x", rg[0], rg[1]-1, i, r[i])
			}
		}
	}
	if r.policy()&policyReserved != 0 {
		return nil, reject(CodeReservedNonzero, "POLICY bits 63:26 must be zero, POLICY is 0x%016x", r.policy())
	}
	if r.platformInfo()&^uint64(0xBF) != 0 {
		return nil, reject(CodeReservedNonzero, "PLATFORM_INFO bit 6 and bits 63:8 must be zero, PLATFORM_INFO is 0x%016x", r.platformInfo())
	}
	if r.keyInfo()&^uint32(0x1F) != 0 {
		return nil, reject(CodeReservedNonzero, "KEY_INFO bits 31:5 must be zero, KEY_INFO is 0x%08x", r.keyInfo())
	}
	for _, c := range []struct {
		off  int
		name string
	}{{offSigR, "signature R"}, {offSigS, "signature S"}} {
		if msg := sigComponentProblem(r[c.off:c.off+sigComponent], c.name); msg != "" {
			return nil, reject(CodeSignatureEncoding, "%s", msg)
		}
	}

	// 2. binding and VMPL
	if len(in.ExpectedReportData) != 64 || !bytes.Equal(in.ExpectedReportData, r.reportData()) {
		return nil, reject(CodeReportDataMismatch, "REPORT_DATA is %x, expected %x", r.reportData(), in.ExpectedReportData)
	}
	if r.vmpl() > 3 || !containsU32(p.AllowedVmpls, r.vmpl()) {
		return nil, reject(CodeVmplNotAllowed, "VMPL is %d, accepted: %s", r.vmpl(), listU32(p.AllowedVmpls))
	}

	// 3. guest policy, then the allowlist entry's constraints
	pol := r.policy()
	polS := fmt.Sprintf(" (POLICY 0x%016x)", pol)
	if pol&policyDebug != 0 && !p.AllowDebug {
		return nil, reject(CodeDebugPolicy, "POLICY.DEBUG (bit 19) is set and debug guests are not allowed%s", polS)
	}
	if pol&policyMustBe1 == 0 {
		return nil, reject(CodePolicyViolation, "POLICY bit 17 must be 1, is 0%s", polS)
	}
	if pol&policyMigrate != 0 {
		return nil, reject(CodePolicyViolation, "POLICY.MIGRATE_MA (bit 18) is set and not allowed%s", polS)
	}
	if pol&policySMT != 0 && !p.AllowSmt {
		return nil, reject(CodePolicyViolation, "POLICY.SMT (bit 16) is set and not allowed%s", polS)
	}
	if pol&policyCXL != 0 {
		return nil, reject(CodePolicyViolation, "POLICY.CXL_ALLOW (bit 21) is set and not allowed%s", polS)
	}
	var entry types.AllowlistEntry
	found, expired := false, false
	if in.Allowlist != nil {
		entry, found = in.Allowlist(r.measurement())
		if found && entry.ExpiryHeight != 0 && in.Height >= entry.ExpiryHeight {
			found, expired = false, true
		}
	}
	if found {
		if rej := entryConstraints(r, &entry); rej != nil {
			return nil, rej
		}
	}

	// 4. signer
	switch k := r.signingKey(); {
	case k == 7:
		return nil, reject(CodeSignerNotAllowed, "KEY_INFO.SIGNING_KEY is 7 (report not signed)")
	case k > 1:
		return nil, reject(CodeSignerNotAllowed, "KEY_INFO.SIGNING_KEY is %d (reserved)", k)
	case k == 1 && !p.AllowVlek:
		return nil, reject(CodeSignerNotAllowed, "KEY_INFO.SIGNING_KEY is 1 (VLEK) and VLEK-signed reports are not allowed")
	case k == 0 && r.keyInfo()&2 != 0:
		return nil, reject(CodeSignerNotAllowed, "KEY_INFO says VCEK-signed but MASK_CHIP_KEY is set")
	}
	if allZero(r.chipID()) {
		return nil, reject(CodeChipIDMasked, "CHIP_ID is all zero (MASK_CHIP_ID) and masked chip IDs are not allowed")
	}

	// 5. measurement
	if !found {
		if expired {
			return nil, reject(CodeMeasurementNotAllowed, "MEASUREMENT %x: allowlist entry %q expired at height %d (height %d)", r.measurement(), entry.Label, entry.ExpiryHeight, in.Height)
		}
		return nil, reject(CodeMeasurementNotAllowed, "MEASUREMENT %x is not in the allowlist", r.measurement())
	}

	// 6. the VEK's chain and its binding to the report
	ch, rej := checkChain(in, r, roots)
	if rej != nil {
		return nil, rej
	}
	// Milan/Genoa: go-sev-guest verifies chain and signature; when it refuses, our own signature
	// check tells a bad signature (reported last, as C++ does) from anything else (CHAIN_UNTRUSTED).
	// Turin: checkChain verified the chain through go-sev-guest's x509 options; the signature is ours.
	var sigOK bool
	if ch.turin {
		sigOK = reportSignatureOK(r, ch.vek)
	} else if err := goSevGuestCheck(in, r, ch); err == nil {
		sigOK = true
	} else if sigOK = reportSignatureOK(r, ch.vek); sigOK {
		return nil, reject(CodeChainUntrusted, "go-sev-guest: %v", err)
	}

	// 7. TCB minimum and provisional firmware
	reported := decodeTcb(r.reportedTcb(), ch.product)
	for _, m := range in.MinTcb {
		if m.Product != ch.product {
			continue
		}
		min := tcbParts{fmc: m.Fmc, bl: m.BootLoader, tee: m.Tee, snp: m.Snp, ucode: m.Microcode, turin: ch.product == "Turin"}
		if !min.le(reported) {
			return nil, reject(CodeTcbBelowMinimum, "REPORTED_TCB is %s (0x%016x), minimum %s", reported, r.reportedTcb(), min)
		}
	}
	cb, cmi, cma := r.currentFw()
	kb, kmi, kma := r.committedFw()
	if r.committedTcb() != r.currentTcb() || cb != kb || cmi != kmi || cma != kma {
		return nil, reject(CodePolicyViolation, "provisional firmware: COMMITTED_TCB %s / firmware %d.%d.%d differs from CURRENT_TCB %s / firmware %d.%d.%d",
			decodeTcb(r.committedTcb(), ch.product), kma, kmi, kb, decodeTcb(r.currentTcb(), ch.product), cma, cmi, cb)
	}

	// 8. the signature
	if !sigOK {
		return nil, reject(CodeSignatureInvalid, "ECDSA P-384 signature over bytes 0x000..0x29f does not verify with the %s key", ch.vek.Subject.CommonName)
	}

	chipSum := sha256.Sum256(r.chipID())
	repSum := sha256.Sum256(in.Report)
	vekSum := sha256.Sum256(in.VcekDER)
	askSum := sha256.Sum256(ch.anchor.ask.Raw)
	return &Result{
		AskSHA256:    askSum[:],
		Product:      ch.product,
		Version:      r.version(),
		Measurement:  append([]byte(nil), r.measurement()...),
		ChipIDSHA256: chipSum[:],
		ReportSHA256: repSum[:],
		VcekSHA256:   vekSum[:],
		ReportedTcb: types.ProductTcb{
			Product: ch.product, BootLoader: reported.bl, Tee: reported.tee, Snp: reported.snp,
			Microcode: reported.ucode, Fmc: reported.fmc,
		},
		Policy:    pol,
		Vmpl:      r.vmpl(),
		Simulated: ch.simulated,
	}, nil
}

// entryConstraints: the allowlist entry's rules beyond the measurement. C++ equivalents:
// VerifyOptions minimum_guest_svn, host_data, image_id, family_id, policy_mask/policy_value.
func entryConstraints(r report, e *types.AllowlistEntry) *Rejection {
	label := fmt.Sprintf("allowlist entry %q", e.Label)
	if r.guestSvn() < e.MinGuestSvn {
		return reject(CodePolicyViolation, "GUEST_SVN is %d, minimum %d (%s min_guest_svn)", r.guestSvn(), e.MinGuestSvn, label)
	}
	for _, f := range []struct {
		name      string
		want, got []byte
	}{{"HOST_DATA", e.HostData, r.hostData()}, {"IMAGE_ID", e.ImageId, r.imageID()}, {"FAMILY_ID", e.FamilyId, r.familyID()}} {
		if len(f.want) != 0 && !bytes.Equal(f.want, f.got) {
			return reject(CodePolicyViolation, "%s is %x, expected %x (%s %s)", f.name, f.got, f.want, label, strings.ToLower(f.name))
		}
	}
	if r.policy()&e.PolicyMask != e.PolicyValue {
		return reject(CodePolicyViolation, "POLICY 0x%016x & policy_mask 0x%016x is 0x%016x, expected policy_value 0x%016x (%s)",
			r.policy(), e.PolicyMask, r.policy()&e.PolicyMask, e.PolicyValue, label)
	}
	return nil
}

type chainInfo struct {
	vek       *x509.Certificate
	anchor    *anchor
	product   string
	vlek      bool
	simulated bool
	turin     bool
}

func validAt(c *x509.Certificate, now time.Time) int {
	if now.Before(c.NotBefore) {
		return -1
	}
	if now.After(c.NotAfter) {
		return 1
	}
	return 0
}

// checkChain mirrors attest/chain.cpp and Checker::binding_to_chain.
func checkChain(in *Input, r report, roots *Roots) (*chainInfo, *Rejection) {
	vek, err := x509.ParseCertificate(in.VcekDER)
	if err != nil {
		return nil, reject(CodeChainUntrusted, "VCEK/VLEK is not a DER X.509 certificate: %v", err)
	}
	cn := vek.Subject.CommonName
	if cn != "SEV-VCEK" && cn != "SEV-VLEK" {
		return nil, reject(CodeChainUntrusted, "VEK subject CN is %q, expected SEV-VCEK or SEV-VLEK", cn)
	}
	if msg := amdLocationProblem(vek.Subject); msg != "" {
		return nil, reject(CodeChainUntrusted, "%s", msg)
	}
	if vek.Version != 3 {
		return nil, reject(CodeChainUntrusted, "VEK is not an X.509 v3 certificate")
	}
	if pub, ok := vek.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve.Params().Name != "P-384" {
		return nil, reject(CodeChainUntrusted, "VEK key is not ECDSA P-384")
	}
	if vek.SignatureAlgorithm != x509.SHA384WithRSAPSS {
		return nil, reject(CodeChainUntrusted, "VEK signature algorithm is %v, expected RSASSA-PSS SHA-384", vek.SignatureAlgorithm)
	}
	ext, err := parseVekExtensions(vek)
	if err != nil {
		return nil, reject(CodeChainUntrusted, "VEK extensions: %v", err)
	}
	a, seen := roots.amd.find(vek)
	if a == nil {
		var seenSim bool
		a, seenSim = roots.simulated.find(vek)
		seen = seen || seenSim
	}
	if a == nil {
		if seen {
			return nil, reject(CodeChainUntrusted, "VEK issuer %q does not chain to a trusted ARK (signature mismatch)", vek.Issuer.CommonName)
		}
		return nil, reject(CodeChainUntrusted, "no known ASK/ASVK named %q (only AMD's roots and the simulated_roots param are trusted)", vek.Issuer.CommonName)
	}
	vlek := cn == "SEV-VLEK"
	if a.vlek != vlek {
		return nil, reject(CodeChainUntrusted, "VEK %q is signed by %q", cn, a.ask.Subject.CommonName)
	}
	ch := &chainInfo{vek: vek, anchor: a, product: a.product, vlek: vlek, turin: a.product == "Turin"}
	for _, s := range []*rootSet{roots.simulated} {
		if s != nil && len(s.anchors) > 0 && a == &s.anchors[0] {
			ch.simulated = true
		}
	}
	for _, c := range []struct {
		what string
		cert *x509.Certificate
	}{{"VEK", vek}, {"ASK/ASVK", a.ask}, {"ARK", a.ark}} {
		if v := validAt(c.cert, in.Now); v != 0 {
			state := "expired"
			if v < 0 {
				state = "not yet valid"
			}
			return nil, reject(CodeCertNotValidAtTime, "%s %q is %s at %s (valid %s to %s)", c.what, c.cert.Subject.CommonName, state,
				in.Now.UTC().Format(time.RFC3339), c.cert.NotBefore.UTC().Format(time.RFC3339), c.cert.NotAfter.UTC().Format(time.RFC3339))
		}
	}

	// binding to the report
	k := r.signingKey()
	if (k == 1) != vlek {
		names := map[bool]string{false: "VCEK", true: "VLEK"}
		return nil, reject(CodeSignerNotAllowed, "KEY_INFO.SIGNING_KEY says %s but the certificate is a %s", names[k == 1], names[vlek])
	}
	if r.hasCpuid() {
		if cp := productFromCpuid(r[0x188], r[0x189]); cp != ch.product {
			return nil, reject(CodeProductMismatch, "report CPUID family/model 0x%02x/0x%02x is %s, certificate chain is %s", r[0x188], r[0x189], cp, ch.product)
		}
	} else if ch.turin {
		return nil, reject(CodeVersionUnsupported, "VERSION 2 report signed by a Turin key (Turin reports are v3+)")
	} else if ext.productName == ch.product {
		// go-sev-guest reads a v2 report's product from the VEK's productName and refuses a bare
		// product name (AMD's current Genoa VCEKs say "Genoa"); C++ applies the same rule.
		return nil, reject(CodeVersionUnsupported, "VERSION 2 report and the VEK productName %q names no stepping: the product cannot be established", ext.productName)
	}
	allowed := false
	for _, ap := range in.Params.AllowedProducts {
		allowed = allowed || ap == ch.product
	}
	if !allowed {
		return nil, reject(CodeProductMismatch, "certificate chain is %s, allowed products: %v", ch.product, in.Params.AllowedProducts)
	}
	if pn, _, _ := strings.Cut(ext.productName, "-"); pn != ch.product {
		return nil, reject(CodeProductMismatch, "VEK productName is %q, chain is %s", ext.productName, ch.product)
	}
	wantSV := int64(0)
	if ch.turin {
		wantSV = 1
	}
	if ext.structVersion != wantSV {
		return nil, reject(CodeProductMismatch, "VEK structVersion is %d, %s uses %d", ext.structVersion, ch.product, wantSV)
	}
	if !vlek {
		n := 64
		if ch.turin {
			n = 8
		}
		switch {
		case ext.hwID == nil:
			return nil, reject(CodeVcekChipMismatch, "VCEK has no hwID extension")
		case len(ext.hwID) != n || !bytes.Equal(ext.hwID, r.chipID()[:len(ext.hwID)]) || !allZero(r.chipID()[len(ext.hwID):]):
			return nil, reject(CodeVcekChipMismatch, "VCEK hwID is %x, report CHIP_ID is %x", ext.hwID, r.chipID())
		}
	}
	certTcb := ext.tcb()
	if certTcb != r.reportedTcb() {
		return nil, reject(CodeVcekTcbMismatch, "VEK TCB is %s (0x%016x), REPORTED_TCB is %s (0x%016x)",
			decodeTcb(certTcb, ch.product), certTcb, decodeTcb(r.reportedTcb(), ch.product), r.reportedTcb())
	}
	if !decodeTcb(certTcb, ch.product).le(decodeTcb(r.currentTcb(), ch.product)) {
		return nil, reject(CodeVcekTcbMismatch, "VEK TCB %s exceeds CURRENT_TCB %s", decodeTcb(certTcb, ch.product), decodeTcb(r.currentTcb(), ch.product))
	}
	if !ch.turin {
		return ch, nil // go-sev-guest's SnpAttestation verifies the chain (verifyReport)
	}
	// Turin, which go-sev-guest v0.15.0 cannot parse: the same chain through the x509 options it
	// builds (pinned ARK as the only root, pinned AS[V]K as the only intermediate, at the block time).
	signer := abi.VcekReportSigner
	if vlek {
		signer = abi.VlekReportSigner
	}
	opts := a.root.X509Options(in.Now, signer)
	if opts == nil {
		return nil, reject(CodeChainUntrusted, "no x509 options for the %s anchor", a.product)
	}
	opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	if _, err := vek.Verify(*opts); err != nil {
		return nil, reject(CodeChainUntrusted, "x509 verification of the VEK: %v", err)
	}
	return ch, nil
}

// reportSignatureOK verifies R,S (little-endian) over SHA-384 of bytes [0, 0x2A0) with the VEK key.
// Both S and n-S verify (ECDSA malleability): that is not a rejection reason.
func reportSignatureOK(r report, vek *x509.Certificate) bool {
	pub, ok := vek.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return false
	}
	digest := sha512.Sum384(r[:signedSize])
	return ecdsa.Verify(pub, digest[:], leInt(r[offSigR:offSigR+48]), leInt(r[offSigS:offSigS+48]))
}

// goSevGuestCheck runs go-sev-guest's chain and signature verification with exactly the anchor the
// VEK chains to as TrustedRoots, no certificate fetching, no revocation fetch, Now = block time. A
// fresh Options per call: SnpAttestation may write Options.Product.
func goSevGuestCheck(in *Input, r report, ch *chainInfo) error {
	rep, err := abi.ReportToProto(r)
	if err != nil {
		return err
	}
	chain := &sevsnp.CertificateChain{}
	if ch.vlek {
		chain.VlekCert = in.VcekDER
	} else {
		chain.VcekCert = in.VcekDER
	}
	att := &sevsnp.Attestation{Report: rep, CertificateChain: chain}
	opts := &gsverify.Options{
		DisableCertFetching: true,
		CheckRevocations:    false,
		Now:                 in.Now,
		TrustedRoots:        map[string][]*trust.AMDRootCerts{ch.product: {ch.anchor.root}},
	}
	return gsverify.SnpAttestation(att, opts)
}

// amdLocationProblem: AMD's KDS names every VEK subject C=US, L=Santa Clara, ST=CA, O=Advanced Micro
// Devices, OU=Engineering, each exactly once (go-sev-guest's validateKDSCertSubject; attest's
// amd_location_problem). Checked here for every product, Turin included.
func amdLocationProblem(n pkix.Name) string {
	for _, f := range []struct {
		name string
		got  []string
		want string
	}{
		{"C", n.Country, "US"}, {"L", n.Locality, "Santa Clara"}, {"ST", n.Province, "CA"},
		{"O", n.Organization, "Advanced Micro Devices"}, {"OU", n.OrganizationalUnit, "Engineering"},
	} {
		if len(f.got) != 1 || f.got[0] != f.want {
			return fmt.Sprintf("VEK subject %s is %q, expected exactly %q", f.name, f.got, f.want)
		}
	}
	return ""
}
