package verify

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"
)

// remintVcek re-issues the simulated Milan VCEK (same key, same KDS extensions) under the simulated
// ASK with `edit` applied to the template, to reach checks the corpus generator cannot mint.
func remintVcek(t *testing.T, edit func(*x509.Certificate)) []byte {
	t.Helper()
	askCert, err := x509.ParseCertificate(pemDER(t, "sim-state/milan/ask.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(corpusFile(t, "sim-state/milan/ask.key"))
	askKey, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := x509.ParseCertificate(corpusFile(t, "files/sim_milan_vcek.der"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(1),
		Subject:            pkix.Name{CommonName: orig.Subject.CommonName, Country: orig.Subject.Country, Locality: orig.Subject.Locality, Province: orig.Subject.Province, Organization: orig.Subject.Organization, OrganizationalUnit: orig.Subject.OrganizationalUnit},
		NotBefore:          orig.NotBefore,
		NotAfter:           orig.NotAfter,
		SignatureAlgorithm: x509.SHA384WithRSAPSS,
	}
	for _, e := range orig.Extensions {
		if len(e.Id) > len(kdsArc) && e.Id[:len(kdsArc)].Equal(kdsArc) {
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, e)
		}
	}
	edit(tmpl)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, askCert, orig.PublicKey, askKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestVekFormChecks(t *testing.T) {
	doc := loadCorpus(t)
	var base *corpusCase
	for i := range doc.Cases {
		if doc.Cases[i].Name == "sim/milan-v3" {
			base = &doc.Cases[i]
		}
	}
	amd := mustRoots(t, nil)
	cases := []struct {
		name string
		edit func(*x509.Certificate)
		want string
	}{
		{"same fields", func(*x509.Certificate) {}, ""},
		{"organization", func(c *x509.Certificate) { c.Subject.Organization = []string{"Advanced Micro Devices Inc"} }, CodeChainUntrusted},
		{"two countries", func(c *x509.Certificate) { c.Subject.Country = []string{"US", "US"} }, CodeChainUntrusted},
		{"no locality", func(c *x509.Certificate) { c.Subject.Locality = nil }, CodeChainUntrusted},
		{"unknown KDS extension", func(c *x509.Certificate) {
			c.ExtraExtensions = append(c.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 9}, Value: []byte{5, 0}})
		}, CodeChainUntrusted},
		{"SPL twice", func(c *x509.Certificate) {
			c.ExtraExtensions = append(c.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1, 3, 1}, Value: []byte{2, 1, 3}})
		}, CodeChainUntrusted},
		{"PKCS#1 v1.5 signature", func(c *x509.Certificate) { c.SignatureAlgorithm = x509.SHA384WithRSA }, CodeChainUntrusted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, roots := caseInput(t, doc, base, amd, map[string]*Roots{})
			in.VcekDER = remintVcek(t, c.edit)
			_, rej := Verify(in, roots)
			if c.want == "" {
				if rej != nil {
					t.Fatalf("control case rejected: %v", rej)
				}
				return
			}
			if rej == nil || rej.Code != c.want {
				t.Fatalf("got %v, want %s", rej, c.want)
			}
		})
	}
}
