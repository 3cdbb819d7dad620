package verify

import (
	"bytes"
	"crypto/x509"
	"fmt"

	"github.com/google/go-sev-guest/verify/trust"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
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
		if err := types.CheckAnchor(b.product, b.vlek, ica, pc.Ark); err != nil {
			return nil, fmt.Errorf("go-sev-guest %s bundle: %w", b.product, err)
		}
		set.anchors = append(set.anchors, anchor{product: b.product, vlek: b.vlek, ask: ica, ark: pc.Ark, root: r})
	}
	return set, nil
}

// simulatedRootSet pins the simulated firmware's [ARK DER, ASK DER], checked by
// types.ParseSimulatedRoots (the same function Params.Validate uses).
func simulatedRootSet(ders [][]byte) (*rootSet, error) {
	a, err := types.ParseSimulatedRoots(ders)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, fmt.Errorf("simulated_roots is empty")
	}
	r := trust.AMDRootCertsProduct(a.Product)
	r.ProductCerts = &trust.ProductCerts{Ark: a.ARK}
	if a.VLEK {
		r.ProductCerts.Asvk = a.ASK
	} else {
		r.ProductCerts.Ask = a.ASK
	}
	return &rootSet{simulated: true, anchors: []anchor{{product: a.Product, vlek: a.VLEK, ask: a.ASK, ark: a.ARK, root: r}}}, nil
}

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
