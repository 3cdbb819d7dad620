package verify

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

const snpData = "../../../../tests/data/snp"

var fixedTime = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func readSnp(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(snpData, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func allowAll(m []byte) (types.AllowlistEntry, bool) {
	return types.AllowlistEntry{Measurement: m, Label: "any"}, true
}

func realInput(t testing.TB, reportFile, vcekFile string) Input {
	rep := readSnp(t, reportFile)
	return Input{
		Report:             rep,
		VcekDER:            readSnp(t, vcekFile),
		ExpectedReportData: append([]byte(nil), rep[0x50:0x90]...),
		Params:             types.DefaultParams(),
		Allowlist:          allowAll,
		Height:             100,
		Now:                fixedTime,
	}
}

func mustRoots(t testing.TB, sim [][]byte) *Roots {
	t.Helper()
	r, err := NewRoots(sim)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRealReports(t *testing.T) {
	roots := mustRoots(t, nil)
	cases := []struct {
		name, report, vcek string
		mutate             func(in *Input)
		want               string
		product            string
	}{
		{"virtee milan v2", "milan_v2_virtee_report.bin", "milan_virtee_vcek.der", nil, "", "Milan"},
		{"genoa v3", "genoa_v3_tinfoil_report.bin", "genoa_tinfoil_vcek.der", nil, "", "Genoa"},
		{"go milan v2 debug refused", "milan_v2_go_attestation.bin", "milan_go_vcek.der", nil, CodeDebugPolicy, ""},
		{"go milan v2 debug allowed", "milan_v2_go_attestation.bin", "milan_go_vcek.der", func(in *Input) { in.Params.AllowDebug = true }, "", "Milan"},
		{"crossed vcek", "genoa_v3_tinfoil_report.bin", "milan_virtee_vcek.der", nil, CodeProductMismatch, ""},
		{"expired at 2040", "milan_v2_virtee_report.bin", "milan_virtee_vcek.der", func(in *Input) { in.Now = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC) }, CodeCertNotValidAtTime, ""},
		{"flipped report_data", "milan_v2_virtee_report.bin", "milan_virtee_vcek.der", func(in *Input) { in.Report = clone(in.Report); in.Report[0x50] ^= 1; in.ExpectedReportData[0] ^= 1 }, CodeSignatureInvalid, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := realInput(t, c.report, c.vcek)
			if c.mutate != nil {
				c.mutate(&in)
			}
			res, rej := Verify(in, roots)
			if c.want == "" {
				if rej != nil {
					t.Fatalf("rejected: %v", rej)
				}
				if res.Product != c.product || res.Simulated {
					t.Fatalf("result %+v", res)
				}
				return
			}
			if rej == nil || rej.Code != c.want {
				t.Fatalf("got %v, want %s", rej, c.want)
			}
		})
	}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
