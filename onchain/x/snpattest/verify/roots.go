package verify

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/google/go-sev-guest/verify/trust"
)

// anchor is one pinned intermediate (ASK or ASVK) with the ARK that signed it. root carries the same
// two certificates in go-sev-guest's form, for Options.TrustedRoots.
type anchor struct {
	product string // "Milan", "Genoa" or "Turin"
	vlek    bool   // the intermediate is an ASVK (signs VLEKs)
	ask     *x509.Certificate
	ark     *x509.Certificate
	root    *trust.AMDRootCerts
}

// rootSet is AMD's anchors or the simulated firmware's.
type rootSet struct {
	anchors   []anchor
	simulated bool
}

// amdBundles are go-sev-guest's embedded KDS cert_chain bundles (ASK or ASVK, then ARK), in a fixed
// order so that anchor lookup is deterministic.
var amdBundles = []struct {
	product string
	vlek    bool
	pem     []byte
}{
	{"Milan", false, trust.AskArkMilanVcekBytes},
	{"Milan", true, trust.AskArkMilanVlekBytes},
	{"Genoa", false, trust.AskArkGenoaVcekBytes},
	{"Genoa", true, trust.AskArkGenoaVlekBytes},
	{"Turin", false, trust.AskArkTurinVcekBytes},
	{"Turin", true, trust.AskArkTurinVlekBytes},
}

func amdRootSet() (*rootSet, error) {
	set := &rootSet{}
	for _, b := range amdBundles {
		r := trust.AMDRootCertsProduct(b.product)
		// v0.15.0's Turin VLEK bundle ends in an extra CRLF that its own ParseProductCertChain
		// refuses ("unexpected trailing bytes"): trailing whitespace is not part of the PEM.
		if err := r.FromKDSCertBytes(bytes.TrimRight(b.pem, "\r\n\t ")); err != nil {
			return nil, fmt.Errorf("go-sev-guest %s bundle: %w", b.product, err)
		}
		pc := r.ProductCerts
		ica := pc.Ask
		if b.vlek {
			ica = pc.Asvk
		}
		if ica == nil || pc.Ark == nil {
			return nil, fmt.Errorf("go-sev-guest %s bundle (vlek=%t): intermediate or ARK missing", b.product, b.vlek)
		}
		if err := checkAnchor(b.product, b.vlek, ica, pc.Ark); err != nil {
			return nil, fmt.Errorf("go-sev-guest %s bundle: %w", b.product, err)
		}
		set.anchors = append(set.anchors, anchor{product: b.product, vlek: b.vlek, ask: ica, ark: pc.Ark, root: r})
	}
	return set, nil
}

// simulatedRootSet pins the simulated firmware's [ARK DER, ASK DER]; its product comes from the ARK's
// common name "ARK-<product>", as the C++ verifier reads it for an extra trust root.
func simulatedRootSet(ders [][]byte) (*rootSet, error) {
	if len(ders) != 2 {
		return nil, fmt.Errorf("simulated_roots holds %d certificates, want 2 (ARK DER, ASK DER)", len(ders))
	}
	ark, err := x509.ParseCertificate(ders[0])
	if err != nil {
		return nil, fmt.Errorf("simulated_roots[0] (ARK): %w", err)
	}
	ask, err := x509.ParseCertificate(ders[1])
	if err != nil {
		return nil, fmt.Errorf("simulated_roots[1] (ASK): %w", err)
	}
	product, ok := strings.CutPrefix(ark.Subject.CommonName, "ARK-")
	if !ok || !isProduct(product) {
		return nil, fmt.Errorf("simulated ARK common name is %q, want ARK-Milan, ARK-Genoa or ARK-Turin", ark.Subject.CommonName)
	}
	vlek := strings.HasPrefix(ask.Subject.CommonName, "SEV-VLEK-")
	if err := checkAnchor(product, vlek, ask, ark); err != nil {
		return nil, fmt.Errorf("simulated_roots: %w", err)
	}
	r := trust.AMDRootCertsProduct(product)
	r.ProductCerts = &trust.ProductCerts{Ark: ark}
	if vlek {
		r.ProductCerts.Asvk = ask
	} else {
		r.ProductCerts.Ask = ask
	}
	return &rootSet{simulated: true, anchors: []anchor{{product: product, vlek: vlek, ask: ask, ark: ark, root: r}}}, nil
}

// checkAnchor: the ARK is self-signed, the intermediate is a CA named SEV-[VLEK-]<product> and is
// signed by the ARK.
func checkAnchor(product string, vlek bool, ica, ark *x509.Certificate) error {
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

func isProduct(p string) bool { return p == "Milan" || p == "Genoa" || p == "Turin" }

// find returns the pinned intermediate named as the VEK's issuer whose key verifies the VEK, and
// whether any intermediate carried that name at all.
func (s *rootSet) find(vek *x509.Certificate) (a *anchor, nameSeen bool) {
	if s == nil {
		return nil, false
	}
	for i := range s.anchors {
		c := &s.anchors[i]
		if !bytes.Equal(c.ask.RawSubject, vek.RawIssuer) {
			continue
		}
		nameSeen = true
		if vek.CheckSignatureFrom(c.ask) == nil {
			return c, true
		}
	}
	return nil, nameSeen
}
