package verify

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
)

// kdsArc is AMD's OID arc for the VCEK/VLEK extensions (KDS spec 57230, docs/snp-report.md).
var kdsArc = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}

// vekExtensions are the KDS extensions of a VCEK/VLEK, read the way attest/certs.cpp reads them.
// go-sev-guest's kds package cannot be used for this: it requires a 64-byte hwID and has no FMC SPL,
// so it rejects every Turin VCEK (8-byte hwID, structVersion 1) and composes Turin TCBs wrongly.
type vekExtensions struct {
	structVersion int64
	productName   string
	spl           [10]*uint8 // index 1 bl, 2 tee, 3 snp, 4..7 reserved, 8 ucode, 9 fmc
	hwID          []byte     // nil when absent (VLEK)
	cspID         *string
}

const (
	splBL    = 1
	splTEE   = 2
	splSNP   = 3
	splUcode = 8
	splFMC   = 9
)

func parseVekExtensions(c *x509.Certificate) (*vekExtensions, error) {
	e := &vekExtensions{structVersion: -1}
	seen := map[string]bool{}
	for _, ext := range c.Extensions {
		id := ext.Id
		if len(id) <= len(kdsArc) || !id[:len(kdsArc)].Equal(kdsArc) {
			continue
		}
		key := id.String()
		if seen[key] {
			return nil, fmt.Errorf("extension %s appears twice", key)
		}
		seen[key] = true
		rest := id[len(kdsArc):]
		switch {
		case len(rest) == 1 && rest[0] == 1:
			v, err := derUint8(ext.Value)
			if err != nil {
				return nil, fmt.Errorf("structVersion: %w", err)
			}
			e.structVersion = int64(v)
		case len(rest) == 1 && rest[0] == 2:
			var s string
			if r, err := asn1.UnmarshalWithParams(ext.Value, &s, "ia5"); err != nil || len(r) != 0 {
				return nil, fmt.Errorf("productName is not an IA5String")
			}
			e.productName = s
		case len(rest) == 2 && rest[0] == 3 && rest[1] >= 1 && rest[1] <= 9:
			v, err := derUint8(ext.Value)
			if err != nil {
				return nil, fmt.Errorf("SPL %s: %w", key, err)
			}
			e.spl[rest[1]] = &v
		case len(rest) == 1 && rest[0] == 4:
			hw := ext.Value
			if len(hw) != 8 && len(hw) != 64 {
				var octet []byte
				if r, err := asn1.Unmarshal(ext.Value, &octet); err != nil || len(r) != 0 {
					return nil, fmt.Errorf("hwID is %d bytes, want 8 or 64", len(hw))
				}
				hw = octet
			}
			if len(hw) != 8 && len(hw) != 64 {
				return nil, fmt.Errorf("hwID is %d bytes, want 8 or 64", len(hw))
			}
			e.hwID = append([]byte(nil), hw...)
		case len(rest) == 1 && rest[0] == 5:
			var s string
			if r, err := asn1.UnmarshalWithParams(ext.Value, &s, "ia5"); err != nil || len(r) != 0 {
				return nil, fmt.Errorf("csp_id is not an IA5String")
			}
			e.cspID = &s
		default:
			return nil, fmt.Errorf("unknown KDS extension %s", key)
		}
	}
	switch {
	case e.structVersion < 0:
		return nil, fmt.Errorf("structVersion missing")
	case e.productName == "":
		return nil, fmt.Errorf("productName missing")
	case e.spl[splBL] == nil || e.spl[splTEE] == nil || e.spl[splSNP] == nil || e.spl[splUcode] == nil:
		return nil, fmt.Errorf("bl, tee, snp or ucode SPL missing")
	}
	return e, nil
}

func derUint8(b []byte) (uint8, error) {
	var v int64
	r, err := asn1.Unmarshal(b, &v)
	if err != nil || len(r) != 0 {
		return 0, fmt.Errorf("not a DER INTEGER")
	}
	if v < 0 || v > 255 {
		return 0, fmt.Errorf("value %d outside 0..255", v)
	}
	return uint8(v), nil
}

// tcb is the raw TCB_VERSION the VEK certifies, in the layout of its structVersion (as attest's
// vek_tcb): v0 bl|tee|spl4..7|snp|ucode, v1 fmc|bl|tee|snp|spl5..7|ucode.
func (e *vekExtensions) tcb() uint64 {
	b := func(i, shift int) uint64 {
		if e.spl[i] == nil {
			return 0
		}
		return uint64(*e.spl[i]) << (8 * shift)
	}
	if e.structVersion == 1 {
		return b(splFMC, 0) | b(splBL, 1) | b(splTEE, 2) | b(splSNP, 3) | b(5, 4) | b(6, 5) | b(7, 6) | b(splUcode, 7)
	}
	return b(splBL, 0) | b(splTEE, 1) | b(4, 2) | b(5, 3) | b(6, 4) | b(7, 5) | b(splSNP, 6) | b(splUcode, 7)
}
