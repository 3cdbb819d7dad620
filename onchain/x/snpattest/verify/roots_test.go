package verify

import (
	"bytes"
	"testing"
)

func TestNewRootsAMD(t *testing.T) {
	r := mustRoots(t, nil)
	if r.simulated != nil {
		t.Fatal("no simulated roots were given")
	}
	// VCEK and VLEK anchors for each product, in a fixed order.
	want := []struct {
		product string
		vlek    bool
		cn      string
	}{
		{"Milan", false, "SEV-Milan"}, {"Milan", true, "SEV-VLEK-Milan"},
		{"Genoa", false, "SEV-Genoa"}, {"Genoa", true, "SEV-VLEK-Genoa"},
		{"Turin", false, "SEV-Turin"}, {"Turin", true, "SEV-VLEK-Turin"},
	}
	if len(r.amd.anchors) != len(want) {
		t.Fatalf("%d anchors", len(r.amd.anchors))
	}
	for i, w := range want {
		a := r.amd.anchors[i]
		if a.product != w.product || a.vlek != w.vlek || a.ask.Subject.CommonName != w.cn || a.ark.Subject.CommonName != "ARK-"+w.product {
			t.Errorf("anchor %d: %s vlek=%t %q %q", i, a.product, a.vlek, a.ask.Subject.CommonName, a.ark.Subject.CommonName)
		}
		if a.root == nil || a.root.ProductCerts == nil || a.root.ProductCerts.Ark != a.ark {
			t.Errorf("anchor %d: go-sev-guest root not filled", i)
		}
	}
}

func TestNewRootsSimulated(t *testing.T) {
	ark := pemDER(t, "sim-state/genoa/ark.pem")
	ask := pemDER(t, "sim-state/genoa/ask.pem")
	milanArk := pemDER(t, "sim-state/milan/ark.pem")
	cases := []struct {
		name    string
		roots   [][]byte
		wantErr bool
	}{
		{"ark then ask", [][]byte{ark, ask}, false},
		{"ask then ark", [][]byte{ask, ark}, true},
		{"only the ark", [][]byte{ark}, true},
		{"three", [][]byte{ark, ask, ask}, true},
		{"ask of another ark", [][]byte{milanArk, ask}, true},
		{"garbage", [][]byte{{0x30, 0x00}, ask}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewRoots(c.roots)
			if c.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.simulated == nil || r.simulated.anchors[0].product != "Genoa" || !r.simulated.simulated {
				t.Fatalf("simulated set %+v", r.simulated)
			}
		})
	}
}

// A simulated report is accepted and marked Simulated only with its roots; the Result carries the
// fields the AttestationRecord needs.
func TestSimulatedResult(t *testing.T) {
	doc := loadCorpus(t)
	var c *corpusCase
	for i := range doc.Cases {
		if doc.Cases[i].Name == "sim/turin-v3" {
			c = &doc.Cases[i]
		}
	}
	if c == nil {
		t.Fatal("sim/turin-v3 missing")
	}
	amd := mustRoots(t, nil)
	in, roots := caseInput(t, doc, c, amd, map[string]*Roots{})
	res, rej := Verify(in, roots)
	if rej != nil {
		t.Fatal(rej)
	}
	if !res.Simulated || res.Product != "Turin" || res.Version != 3 || res.Vmpl != 0 || res.Policy != 0x30000 {
		t.Fatalf("result %+v", res)
	}
	tcb := res.ReportedTcb
	if tcb.Product != "Turin" || tcb.BootLoader != 3 || tcb.Tee != 0 || tcb.Snp != 8 || tcb.Microcode != 115 || tcb.Fmc != 0 {
		t.Fatalf("reported tcb %+v", tcb)
	}
	if !bytes.Equal(res.Measurement, in.Report[0x90:0xC0]) || len(res.ChipIDSHA256) != 32 || len(res.ReportSHA256) != 32 || len(res.VcekSHA256) != 32 {
		t.Fatalf("hashes %+v", res)
	}
	// Deterministic: the same input gives the same result.
	res2, _ := Verify(in, roots)
	if !bytes.Equal(res.ReportSHA256, res2.ReportSHA256) || res2.Simulated != res.Simulated {
		t.Fatal("not deterministic")
	}
	// Without the simulated roots: CHAIN_UNTRUSTED.
	if _, rej := Verify(in, amd); rej == nil || rej.Code != CodeChainUntrusted {
		t.Fatalf("amd roots only: %v", rej)
	}
	// The simulated roots of another product do not help.
	other, err := NewRoots([][]byte{pemDER(t, "sim-state/milan/ark.pem"), pemDER(t, "sim-state/milan/ask.pem")})
	if err != nil {
		t.Fatal(err)
	}
	if _, rej := Verify(in, other); rej == nil || rej.Code != CodeChainUntrusted {
		t.Fatalf("milan sim roots: %v", rej)
	}
}

func TestNilRootsAndNilAllowlist(t *testing.T) {
	in := realInput(t, "milan_v2_virtee_report.bin", "milan_virtee_vcek.der")
	if _, rej := Verify(in, nil); rej == nil || rej.Code != CodeChainUntrusted {
		t.Fatalf("nil roots: %v", rej)
	}
	in.Allowlist = nil
	if _, rej := Verify(in, mustRoots(t, nil)); rej == nil || rej.Code != CodeMeasurementNotAllowed {
		t.Fatalf("nil allowlist: %v", rej)
	}
	in = realInput(t, "milan_v2_virtee_report.bin", "milan_virtee_vcek.der")
	in.ExpectedReportData = in.ExpectedReportData[:32]
	if _, rej := Verify(in, mustRoots(t, nil)); rej == nil || rej.Code != CodeReportDataMismatch {
		t.Fatalf("short expected report data: %v", rej)
	}
}
