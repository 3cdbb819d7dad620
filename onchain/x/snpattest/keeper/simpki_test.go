package keeper_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os"
	"sync"
	"testing"
)

// A simulated AMD chain minted in Go for the accept-path tests: an RSA-4096 ARK-Milan and SEV-Milan
// (RSASSA-PSS SHA-384), a P-384 SEV-VCEK with the KDS extensions, in AMD's naming profile (the same
// profile attest/sim/amd_cert_mint.cpp mints for the simulated firmware). The chain trusts it only
// through Params.simulated_roots, so accepted reports are recorded simulated = true. Reports are the
// real virtee Milan v2 report with REPORT_DATA (and, per test, other fields) replaced and re-signed
// with the simulated VCEK key.
type simPKI struct {
	arkDER, askDER, vcekDER []byte
	vcekKey                 *ecdsa.PrivateKey
	template                []byte // the real report, signature area zeroed on signing
}

var (
	simOnce sync.Once
	simVal  *simPKI
	simErr  error
)

var kdsArc = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}

func amdName(cn string) pkix.Name {
	return pkix.Name{Country: []string{"US"}, Locality: []string{"Santa Clara"}, Province: []string{"CA"},
		Organization: []string{"Advanced Micro Devices"}, OrganizationalUnit: []string{"Engineering"}, CommonName: cn}
}

func derInt(v int) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func kdsExt(v []byte, arc ...int) pkix.Extension {
	id := append(append(asn1.ObjectIdentifier{}, kdsArc...), arc...)
	return pkix.Extension{Id: id, Value: v}
}

func loadSimPKI(t testing.TB) *simPKI {
	t.Helper()
	simOnce.Do(func() { simVal, simErr = mintSimPKI() })
	if simErr != nil {
		t.Fatalf("minting the simulated chain: %v", simErr)
	}
	return simVal
}

func mintSimPKI() (*simPKI, error) {
	tmpl, err := os.ReadFile(snpDir + "milan_v2_virtee_report.bin")
	if err != nil {
		return nil, err
	}
	arkKey, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		return nil, err
	}
	askKey, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		return nil, err
	}
	vcekKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	nb, na := t0.AddDate(-1, 0, 0), t0.AddDate(5, 0, 0)
	ca := func(cn string, serial int64, dp string) *x509.Certificate {
		return &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: amdName(cn), NotBefore: nb, NotAfter: na,
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			SignatureAlgorithm: x509.SHA384WithRSAPSS, CRLDistributionPoints: []string{dp},
		}
	}
	crl := "https://kdsintf.amd.com/vcek/v1/Milan/crl"
	arkT := ca("ARK-Milan", 1, crl)
	arkDER, err := x509.CreateCertificate(rand.Reader, arkT, arkT, &arkKey.PublicKey, arkKey)
	if err != nil {
		return nil, err
	}
	ark, _ := x509.ParseCertificate(arkDER)
	askT := ca("SEV-Milan", 2, crl)
	askDER, err := x509.CreateCertificate(rand.Reader, askT, ark, &askKey.PublicKey, arkKey)
	if err != nil {
		return nil, err
	}
	ask, _ := x509.ParseCertificate(askDER)
	// The VCEK certifies the template report's REPORTED_TCB and CHIP_ID (Milan TCB layout:
	// bl, tee, spl4..7, snp, ucode from byte 0 up).
	tcb := tmpl[0x180:0x188]
	exts := []pkix.Extension{
		kdsExt(derInt(0), 1),
		kdsExt([]byte{0x16, 8, 'M', 'i', 'l', 'a', 'n', '-', 'B', '0'}, 2),
		kdsExt(derInt(int(tcb[0])), 3, 1), kdsExt(derInt(int(tcb[1])), 3, 2),
		kdsExt(derInt(int(tcb[6])), 3, 3), kdsExt(derInt(int(tcb[2])), 3, 4),
		kdsExt(derInt(int(tcb[3])), 3, 5), kdsExt(derInt(int(tcb[4])), 3, 6),
		kdsExt(derInt(int(tcb[5])), 3, 7), kdsExt(derInt(int(tcb[7])), 3, 8),
		kdsExt(append([]byte{}, tmpl[0x1A0:0x1E0]...), 4),
	}
	vcekT := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: amdName("SEV-VCEK"), NotBefore: nb, NotAfter: na,
		SignatureAlgorithm: x509.SHA384WithRSAPSS, ExtraExtensions: exts,
	}
	vcekDER, err := x509.CreateCertificate(rand.Reader, vcekT, ask, &vcekKey.PublicKey, askKey)
	if err != nil {
		return nil, err
	}
	return &simPKI{arkDER: arkDER, askDER: askDER, vcekDER: vcekDER, vcekKey: vcekKey, template: tmpl}, nil
}

// report returns the template with reportData at 0x50, edited by mut, signed by the simulated VCEK.
func (s *simPKI) report(t testing.TB, reportData []byte, mut func(r []byte)) []byte {
	t.Helper()
	r := append([]byte{}, s.template...)
	copy(r[0x50:0x90], reportData)
	if mut != nil {
		mut(r)
	}
	digest := sha512.Sum384(r[:0x2A0])
	rr, ss, err := ecdsa.Sign(rand.Reader, s.vcekKey, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	for i := 0x2A0; i < len(r); i++ {
		r[i] = 0
	}
	putLE(r[0x2A0:0x2A0+72], rr)
	putLE(r[0x2E8:0x2E8+72], ss)
	return r
}

// malleate replaces S by n−S: the report still verifies (ECDSA malleability) but its bytes and hash differ.
func malleate(r []byte) []byte {
	out := append([]byte{}, r...)
	s := leToInt(out[0x2E8 : 0x2E8+72])
	s.Sub(elliptic.P384().Params().N, s)
	for i := 0x2E8; i < 0x2E8+72; i++ {
		out[i] = 0
	}
	putLE(out[0x2E8:0x2E8+72], s)
	return out
}

func putLE(dst []byte, v *big.Int) {
	be := v.Bytes()
	for i, b := range be {
		dst[len(be)-1-i] = b
	}
}

func leToInt(le []byte) *big.Int {
	be := make([]byte, len(le))
	for i, b := range le {
		be[len(le)-1-i] = b
	}
	return new(big.Int).SetBytes(be)
}
