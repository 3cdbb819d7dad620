package verify

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

// agreementDir is the corpus shared with the C++ test (tests/data/agreement/README.md).
const agreementDir = "../../../../tests/data/agreement"

type corpusParams struct {
	AllowedReportVersions []uint32 `json:"allowed_report_versions,omitempty"`
	AllowedProducts       []string `json:"allowed_products,omitempty"`
	AllowedVmpls          []uint32 `json:"allowed_vmpls,omitempty"`
	AllowSmt              *bool    `json:"allow_smt,omitempty"`
	AllowVlek             *bool    `json:"allow_vlek,omitempty"`
	AllowDebug            *bool    `json:"allow_debug,omitempty"`
}

type corpusEntry struct {
	Measurement  string `json:"measurement"`
	Label        string `json:"label"`
	MinGuestSvn  uint32 `json:"min_guest_svn"`
	PolicyMask   uint64 `json:"policy_mask"`
	PolicyValue  uint64 `json:"policy_value"`
	FamilyID     string `json:"family_id"`
	ImageID      string `json:"image_id"`
	HostData     string `json:"host_data"`
	ExpiryHeight int64  `json:"expiry_height"`
}

type corpusTcb struct {
	Product    string `json:"product"`
	BootLoader uint32 `json:"boot_loader"`
	Tee        uint32 `json:"tee"`
	Snp        uint32 `json:"snp"`
	Microcode  uint32 `json:"microcode"`
	Fmc        uint32 `json:"fmc"`
}

type corpusCase struct {
	Name               string        `json:"name"`
	Report             string        `json:"report"`
	Vcek               string        `json:"vcek"`
	Roots              string        `json:"roots"`
	SimState           string        `json:"sim_state"`
	Time               string        `json:"time"`
	Height             *int64        `json:"height"`
	ExpectedReportData string        `json:"expected_report_data"`
	Params             corpusParams  `json:"params"`
	Allowlist          []corpusEntry `json:"allowlist"`
	MinTcb             []corpusTcb   `json:"min_tcb"`
	Expected           string        `json:"expected"`
	Why                string        `json:"why"`
}

type corpus struct {
	BaseParams    corpusParams `json:"base_params"`
	DefaultHeight int64        `json:"default_height"`
	Cases         []corpusCase `json:"cases"`
}

func loadCorpus(t testing.TB) *corpus {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(agreementDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func corpusFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(agreementDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pemDER(t testing.TB, rel string) []byte {
	t.Helper()
	blk, _ := pem.Decode(corpusFile(t, rel))
	if blk == nil {
		t.Fatalf("%s: no PEM block", rel)
	}
	return blk.Bytes
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

// mergeParams applies the base params then the case's overrides onto the chain's Params.
func mergeParams(base, over corpusParams) types.Params {
	p := types.DefaultParams()
	for _, c := range []corpusParams{base, over} {
		if c.AllowedReportVersions != nil {
			p.AllowedReportVersions = c.AllowedReportVersions
		}
		if c.AllowedProducts != nil {
			p.AllowedProducts = c.AllowedProducts
		}
		if c.AllowedVmpls != nil {
			p.AllowedVmpls = c.AllowedVmpls
		}
		if c.AllowSmt != nil {
			p.AllowSmt = *c.AllowSmt
		}
		if c.AllowVlek != nil {
			p.AllowVlek = *c.AllowVlek
		}
		if c.AllowDebug != nil {
			p.AllowDebug = *c.AllowDebug
		}
	}
	return p
}

// caseInput maps one case onto Input and the Roots it names (README.md "How each side reads a case").
func caseInput(t testing.TB, doc *corpus, c *corpusCase, amd *Roots, sim map[string]*Roots) (Input, *Roots) {
	t.Helper()
	rep := corpusFile(t, c.Report)
	now, err := time.Parse(time.RFC3339, c.Time)
	if err != nil {
		t.Fatal(err)
	}
	height := doc.DefaultHeight
	if c.Height != nil {
		height = *c.Height
	}
	in := Input{
		Report:  rep,
		VcekDER: corpusFile(t, c.Vcek),
		Params:  mergeParams(doc.BaseParams, c.Params),
		Height:  height,
		Now:     now,
	}
	if c.ExpectedReportData == "report" {
		if len(rep) >= 0x90 {
			in.ExpectedReportData = append([]byte(nil), rep[0x50:0x90]...)
		}
	} else {
		in.ExpectedReportData = mustHex(t, c.ExpectedReportData)
	}
	var entries []types.AllowlistEntry
	for _, e := range c.Allowlist {
		m := []byte(nil)
		if e.Measurement == "report" {
			if len(rep) >= 0xC0 {
				m = append(m, rep[0x90:0xC0]...)
			}
		} else {
			m = mustHex(t, e.Measurement)
		}
		entries = append(entries, types.AllowlistEntry{
			Measurement: m, Label: e.Label, MinGuestSvn: e.MinGuestSvn, PolicyMask: e.PolicyMask,
			PolicyValue: e.PolicyValue, FamilyId: mustHex(t, e.FamilyID), ImageId: mustHex(t, e.ImageID),
			HostData: mustHex(t, e.HostData), ExpiryHeight: e.ExpiryHeight,
		})
	}
	in.Allowlist = func(m []byte) (types.AllowlistEntry, bool) {
		for _, e := range entries {
			if bytes.Equal(e.Measurement, m) {
				return e, true
			}
		}
		return types.AllowlistEntry{}, false
	}
	for _, m := range c.MinTcb {
		in.MinTcb = append(in.MinTcb, types.ProductTcb{Product: m.Product, BootLoader: m.BootLoader, Tee: m.Tee,
			Snp: m.Snp, Microcode: m.Microcode, Fmc: m.Fmc})
	}
	switch c.Roots {
	case "amd":
		return in, amd
	case "simulated":
		r, ok := sim[c.SimState]
		if !ok {
			var err error
			r, err = NewRoots([][]byte{pemDER(t, c.SimState+"/ark.pem"), pemDER(t, c.SimState+"/ask.pem")})
			if err != nil {
				t.Fatalf("%s: %v", c.SimState, err)
			}
			sim[c.SimState] = r
		}
		return in, r
	}
	t.Fatalf("roots %q", c.Roots)
	return in, nil
}

// TestAgreementCorpus: every case's first failure (Verify returns only the first) is the expected
// code, the same code the C++ test asserts as the first failure of attest's verdict.
func TestAgreementCorpus(t *testing.T) {
	doc := loadCorpus(t)
	if len(doc.Cases) < 50 {
		t.Fatalf("only %d cases", len(doc.Cases))
	}
	amd := mustRoots(t, nil)
	sim := map[string]*Roots{}
	for i := range doc.Cases {
		c := &doc.Cases[i]
		t.Run(c.Name, func(t *testing.T) {
			in, roots := caseInput(t, doc, c, amd, sim)
			res, rej := Verify(in, roots)
			got := "ACCEPT"
			if rej != nil {
				got = rej.Code
			}
			if got != c.Expected {
				t.Fatalf("got %s, want %s (%s); rejection: %v", got, c.Expected, c.Why, rej)
			}
			if (res == nil) == (rej == nil) {
				t.Fatalf("exactly one of result and rejection must be set: %v %v", res, rej)
			}
			if res != nil && res.Simulated != (c.Roots == "simulated") {
				t.Fatalf("Simulated = %t for roots %q", res.Simulated, c.Roots)
			}
		})
	}
}
