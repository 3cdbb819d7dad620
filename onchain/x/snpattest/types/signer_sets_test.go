package types

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	dsecp "github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// signerSetVectors is tests/data/protocol/signer_sets.json, shared with the C++ allowlist tests.
type signerSetVectors struct {
	Provenance string `json:"provenance"`
	Cases      []struct {
		Name      string `json:"name"`
		Threshold uint32 `json:"threshold"`
		Signers   []struct {
			KeyID     string `json:"key_id"`
			PubkeyHex string `json:"pubkey_hex"`
		} `json:"signers"`
		Valid bool   `json:"valid"`
		Error string `json:"error"`
	} `json:"cases"`
}

// TestSignerSetVectors: CheckSignerSet gives every shared case its expected verdict and reason code.
func TestSignerSetVectors(t *testing.T) {
	raw, err := os.ReadFile(dataDir + "protocol/signer_sets.json")
	if err != nil {
		t.Fatal(err)
	}
	var v signerSetVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) < 10 {
		t.Fatalf("only %d cases", len(v.Cases))
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var set []*SignerKey
			for _, s := range c.Signers {
				pk, err := hex.DecodeString(s.PubkeyHex)
				if err != nil {
					t.Fatal(err)
				}
				set = append(set, &SignerKey{KeyId: s.KeyID, Pubkey: pk})
			}
			got := CheckSignerSet(set, c.Threshold)
			switch {
			case c.Valid && got != nil:
				t.Fatalf("refused a sound set: %v", got)
			case !c.Valid && got == nil:
				t.Fatalf("accepted, want %s", c.Error)
			case !c.Valid && got.Code != c.Error:
				t.Fatalf("code %s (%s), want %s", got.Code, got.Detail, c.Error)
			}
		})
	}
}

// TestWriteSignerSetVectors regenerates the shared file (SNPATTEST_WRITE_SIGNER_SETS=1): keys come
// from fixed seeds through the SDK's secp256k1, so the file is reproducible.
func TestWriteSignerSetVectors(t *testing.T) {
	if os.Getenv("SNPATTEST_WRITE_SIGNER_SETS") != "1" {
		t.Skip("generator: set SNPATTEST_WRITE_SIGNER_SETS=1")
	}
	key := func(seed string) []byte {
		return secp256k1.GenPrivKeyFromSecret([]byte("snprelay signer-set vector " + seed)).PubKey().Bytes()
	}
	a, b, c := key("a"), key("b"), key("c")
	pa, err := dsecp.ParsePubKey(a)
	if err != nil {
		t.Fatal(err)
	}
	uncompressed := pa.SerializeUncompressed()
	badPrefix := append([]byte{0x05}, a[1:]...)
	// x = 5 has no y on secp256k1 (x^3 + 7 = 132 is not a square mod p).
	offCurve := append([]byte{0x02}, make([]byte, 31)...)
	offCurve = append(offCurve, 5)
	if _, err := dsecp.ParsePubKey(offCurve); err == nil {
		t.Fatal("x=5 parsed as a point")
	}
	type sk struct {
		KeyID     string `json:"key_id"`
		PubkeyHex string `json:"pubkey_hex"`
	}
	s := func(id string, pk []byte) sk { return sk{id, hex.EncodeToString(pk)} }
	type vc struct {
		Name      string `json:"name"`
		Threshold uint32 `json:"threshold"`
		Signers   []sk   `json:"signers"`
		Valid     bool   `json:"valid"`
		Error     string `json:"error"`
	}
	cases := []vc{
		{"2 of 3 distinct keys", 2, []sk{s("alice", a), s("bob", b), s("carol", c)}, true, ""},
		{"1 of 1", 1, []sk{s("alice", a)}, true, ""},
		{"3 of 3", 3, []sk{s("alice", a), s("bob", b), s("carol", c)}, true, ""},
		{"empty set", 1, nil, false, SignerSetEmpty},
		{"empty set, threshold 0", 0, nil, false, SignerSetEmpty},
		{"threshold 0", 0, []sk{s("alice", a), s("bob", b)}, false, SignerSetBadThreshold},
		{"threshold above size", 3, []sk{s("alice", a), s("bob", b)}, false, SignerSetBadThreshold},
		{"empty key id", 1, []sk{s("", a)}, false, SignerSetEmptyKeyID},
		{"duplicate key id", 1, []sk{s("alice", a), s("alice", b)}, false, SignerSetDuplicateKeyID},
		{"one pubkey under two ids (2 of 3 would need one signer)", 2, []sk{s("alice", a), s("alice-2", a), s("bob", b)}, false, SignerSetDuplicatePub},
		{"one pubkey under two ids, 2 of 2", 2, []sk{s("alice", a), s("mallory", a)}, false, SignerSetDuplicatePub},
		{"uncompressed 65-byte key", 1, []sk{s("alice", uncompressed)}, false, SignerSetNotCompressed},
		{"bad prefix 05", 1, []sk{s("alice", badPrefix)}, false, SignerSetNotCompressed},
		{"32-byte key", 1, []sk{s("alice", a[1:])}, false, SignerSetNotCompressed},
		{"x not on the curve", 1, []sk{s("alice", offCurve)}, false, SignerSetNotOnCurve},
	}
	out := struct {
		Provenance string `json:"provenance"`
		Cases      []vc   `json:"cases"`
	}{
		Provenance: "written by TestWriteSignerSetVectors (onchain/x/snpattest/types/signer_sets_test.go): compressed secp256k1 keys from the Cosmos SDK's GenPrivKeyFromSecret(\"snprelay signer-set vector <a|b|c>\"); the uncompressed key is key a's point. Rule (checked in this order, first failure wins): EMPTY no signers; BAD_THRESHOLD threshold outside 1..size; then per signer in order EMPTY_KEY_ID, DUPLICATE_KEY_ID, NOT_COMPRESSED (not 33 bytes with prefix 02/03), NOT_ON_CURVE, DUPLICATE_PUBKEY (the same 33 bytes under an earlier key id).",
		Cases:      cases,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dataDir+"protocol/signer_sets.json", buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
