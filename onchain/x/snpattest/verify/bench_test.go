package verify

import (
	"testing"
)

// The per-report cost of Verify (go-sev-guest chain + signature and the rules), the basis of the
// module's fixed verification gas. Run: go test -bench . -benchmem ./x/snpattest/verify/
func benchCase(b *testing.B, name string) {
	doc := loadCorpus(b)
	amd := mustRoots(b, nil)
	for i := range doc.Cases {
		c := &doc.Cases[i]
		if c.Name != name {
			continue
		}
		in, roots := caseInput(b, doc, c, amd, map[string]*Roots{})
		if _, rej := Verify(in, roots); rej != nil {
			b.Fatal(rej)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			if _, rej := Verify(in, roots); rej != nil {
				b.Fatal(rej)
			}
		}
		return
	}
	b.Fatalf("case %s missing", name)
}

func BenchmarkVerifySimulatedMilan(b *testing.B) { benchCase(b, "sim/milan-v3") }
func BenchmarkVerifySimulatedGenoa(b *testing.B) { benchCase(b, "sim/genoa-v3") }
func BenchmarkVerifySimulatedTurin(b *testing.B) { benchCase(b, "sim/turin-v3") }
func BenchmarkVerifyRealMilanV2(b *testing.B)    { benchCase(b, "real/virtee-milan-v2") }
func BenchmarkVerifyRealGenoaV3(b *testing.B)    { benchCase(b, "real/genoa-v3") }

// A rejection still costs a chain verification when it fails late (bad signature).
func BenchmarkVerifyRejectedSignature(b *testing.B) {
	doc := loadCorpus(b)
	amd := mustRoots(b, nil)
	for i := range doc.Cases {
		c := &doc.Cases[i]
		if c.Name != "real/virtee-flipped-r" {
			continue
		}
		in, roots := caseInput(b, doc, c, amd, map[string]*Roots{})
		b.ReportAllocs()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			if _, rej := Verify(in, roots); rej == nil || rej.Code != CodeSignatureInvalid {
				b.Fatal(rej)
			}
		}
		return
	}
}

func BenchmarkNewRoots(b *testing.B) {
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		if _, err := NewRoots(nil); err != nil {
			b.Fatal(err)
		}
	}
}
