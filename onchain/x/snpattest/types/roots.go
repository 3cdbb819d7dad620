package types

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"
)

// SimulatedAnchor is a checked Params.simulated_roots value: [ARK DER, ASK (or ASVK) DER] of the
// simulated firmware.
type SimulatedAnchor struct {
	Product string // from the ARK's common name "ARK-<product>"
	VLEK    bool   // the intermediate is an ASVK ("SEV-VLEK-<product>")
	ARK     *x509.Certificate
	ASK     *x509.Certificate
}

// ParseSimulatedRoots is the one check of simulated_roots, shared by Params.Validate and the
// verifier's root construction (verify.NewRoots), so a value governance can store is always one the
// verifier can build (issue 20: Validate accepted roots NewRoots refused, and every submission then
// failed after paying gas). Empty → nil, nil.
func ParseSimulatedRoots(ders [][]byte) (*SimulatedAnchor, error) {
	if len(ders) == 0 {
		return nil, nil
	}
	if len(ders) != 2 {
		return nil, fmt.Errorf("simulated_roots must be empty or [ARK DER, ASK DER], got %d entries", len(ders))
	}
	var certs [2]*x509.Certificate
	for i, der := range ders {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("simulated_roots[%d] is not a DER certificate: %v", i, err)
		}
		if !bytes.Equal(c.Raw, der) {
			return nil, fmt.Errorf("simulated_roots[%d] has trailing bytes", i)
		}
		certs[i] = c
	}
	ark, ask := certs[0], certs[1]
	product, ok := strings.CutPrefix(ark.Subject.CommonName, "ARK-")
	if !ok || !IsKnownProduct(product) {
		return nil, fmt.Errorf("simulated ARK common name is %q, want ARK-Milan, ARK-Genoa or ARK-Turin", ark.Subject.CommonName)
	}
	vlek := strings.HasPrefix(ask.Subject.CommonName, "SEV-VLEK-")
	if err := CheckAnchor(product, vlek, ask, ark); err != nil {
		return nil, fmt.Errorf("simulated_roots: %w", err)
	}
	return &SimulatedAnchor{Product: product, VLEK: vlek, ARK: ark, ASK: ask}, nil
}

// CheckAnchor: the ARK is self-signed, the intermediate is a CA named SEV-[VLEK-]<product> and is
// signed by the ARK.
func CheckAnchor(product string, vlek bool, ica, ark *x509.Certificate) error {
	if !bytes.Equal(ark.RawSubject, ark.RawIssuer) || ark.CheckSignatureFrom(ark) != nil {
		return fmt.Errorf("ARK %q is not self-signed", ark.Subject.CommonName)
	}
	want := "SEV-" + product
	if vlek {
		want = "SEV-VLEK-" + product
	}
	if ica.Subject.CommonName != want {
		return fmt.Errorf("intermediate common name is %q, want %q", ica.Subject.CommonName, want)
	}
	if !ica.IsCA {
		return fmt.Errorf("intermediate %q is not a CA", want)
	}
	if !bytes.Equal(ica.RawIssuer, ark.RawSubject) || ica.CheckSignatureFrom(ark) != nil {
		return fmt.Errorf("intermediate %q is not signed by %q", want, ark.Subject.CommonName)
	}
	return nil
}
