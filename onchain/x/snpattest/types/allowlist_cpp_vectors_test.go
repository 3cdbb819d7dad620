package types

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// cppVectors is tests/data/allowlist/allowlist-vectors.json: update bytes, digests and signatures
// produced by the C++ library (allowlist/, tests/unit/allowlist/fixtures.hpp make_vectors).
type cppVectors struct {
	ChainID   string `json:"chain_id"`
	Threshold uint32 `json:"threshold"`
	Signers   []struct {
		KeyID  string `json:"key_id"`
		Pubkey string `json:"pubkey"`
	} `json:"signers"`
	Cases []struct {
		Name         string `json:"name"`
		UpdateBytes  string `json:"update_bytes"`
		Digest       string `json:"digest"`
		UpdateSha256 string `json:"update_sha256"`
		Signatures   []struct {
			KeyID     string `json:"key_id"`
			Signature string `json:"signature"`
		} `json:"signatures"`
		Expect string `json:"expect"`
	} `json:"cases"`
}

// TestCppAllowlistVectors: the module accepts exactly what the C++ library says it should — the
// canonical bytes decode strictly, digests and hashes agree, the threshold rule gives the same outcome
// — and the two accepted updates chain (v2.prev_hash = SHA-256 of v1's bytes).
func TestCppAllowlistVectors(t *testing.T) {
	raw, err := os.ReadFile(dataDir + "allowlist/allowlist-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v cppVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	signers := make([]*SignerKey, 0, len(v.Signers))
	for _, s := range v.Signers {
		signers = append(signers, &SignerKey{KeyId: s.KeyID, Pubkey: unhex(t, s.Pubkey)})
	}
	if err := ValidateSignerSet(signers, v.Threshold); err != nil {
		t.Fatalf("signer set: %v", err)
	}
	if len(v.Cases) < 8 {
		t.Fatalf("only %d cases", len(v.Cases))
	}
	accepted := map[uint64][]byte{}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			ub := unhex(t, c.UpdateBytes)
			if got := AllowlistDigest(ub); !bytes.Equal(got, unhex(t, c.Digest)) {
				t.Errorf("digest %x, C++ says %s", got, c.Digest)
			}
			if got := UpdateHash(ub); !bytes.Equal(got, unhex(t, c.UpdateSha256)) {
				t.Errorf("update hash %x, C++ says %s", got, c.UpdateSha256)
			}
			u, err := DecodeAllowlistUpdate(ub)
			if c.Expect == "malformed" {
				if err == nil {
					t.Fatal("non-canonical bytes decoded")
				}
				return
			}
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if u.ChainId != v.ChainID {
				t.Errorf("chain id %q", u.ChainId)
			}
			if again, _ := u.Marshal(); !bytes.Equal(again, ub) {
				t.Error("C++ bytes are not what gogoproto marshals")
			}
			sigs := make([]*AllowlistSignature, 0, len(c.Signatures))
			for _, s := range c.Signatures {
				sigs = append(sigs, &AllowlistSignature{KeyId: s.KeyID, Signature: unhex(t, s.Signature)})
			}
			ids, err := CheckAllowlistSignatures(ub, sigs, signers, v.Threshold)
			switch c.Expect {
			case "ok":
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(ids) < int(v.Threshold) {
					t.Errorf("signers %v", ids)
				}
				accepted[u.Version] = ub
			case "below_threshold":
				if !errors.Is(err, ErrBelowThreshold) || !strings.Contains(err.Error(), "of 2 required signatures") {
					t.Fatalf("got %v, want ErrBelowThreshold", err)
				}
			case "unauthorized":
				if !errors.Is(err, ErrUnauthorized) {
					t.Fatalf("got %v, want ErrUnauthorized", err)
				}
			default:
				t.Fatalf("unknown expectation %q", c.Expect)
			}
		})
	}
	v1, v2 := accepted[1], accepted[2]
	if v1 == nil || v2 == nil {
		t.Fatal("versions 1 and 2 were not both accepted")
	}
	u1, _ := DecodeAllowlistUpdate(v1)
	u2, _ := DecodeAllowlistUpdate(v2)
	if !bytes.Equal(u1.PrevHash, ZeroPrevHash) || !bytes.Equal(u2.PrevHash, UpdateHash(v1)) {
		t.Error("the C++ updates do not chain by prev_hash")
	}
}
