package types

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

const dataDir = "../../../../tests/data/"

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(dataDir + path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type bindingVector struct {
	ChainID          string `json:"chain_id"`
	Epoch            uint64 `json:"epoch"`
	Nonce            string `json:"nonce"`
	Operator         string `json:"operator"`
	Relayer          string `json:"relayer"`
	AllowlistVersion uint64 `json:"allowlist_version"`
	ReportData       string `json:"report_data"`
	Expected         string `json:"expected"`
}

type nonceVector struct {
	ChainID           string `json:"chain_id"`
	Epoch             uint64 `json:"epoch"`
	PreviousBlockHash string `json:"previous_block_hash"`
	Nonce             string `json:"nonce"`
	Expected          string `json:"expected"`
}

type sigVector struct {
	Pubkey      string `json:"pubkey"`
	UpdateBytes string `json:"update_bytes"`
	Digest      string `json:"digest"`
	Signature   string `json:"signature"`
	Valid       any    `json:"valid"`
	Why         string `json:"why"`
}

func TestProtocolVectors(t *testing.T) {
	var pv struct {
		Nonce   []nonceVector `json:"nonce"`
		Binding []bindingVector
		Sigs    []sigVector `json:"allowlist_signatures"`
	}
	readJSON(t, "protocol/protocol-vectors.json", &pv)
	if len(pv.Nonce) == 0 || len(pv.Binding) == 0 || len(pv.Sigs) == 0 {
		t.Fatal("protocol-vectors.json: empty sections")
	}
	for i, v := range pv.Nonce {
		if got := EpochNonce(v.ChainID, v.Epoch, unhex(t, v.PreviousBlockHash)); !bytes.Equal(got, unhex(t, v.Nonce)) {
			t.Errorf("nonce[%d]: got %x want %s", i, got, v.Nonce)
		}
	}
	for i, v := range pv.Binding {
		got := ReportData(v.ChainID, v.Epoch, unhex(t, v.Nonce), v.Operator, v.Relayer, v.AllowlistVersion)
		if !bytes.Equal(got, unhex(t, v.ReportData)) {
			t.Errorf("binding[%d]: got %x want %s", i, got, v.ReportData)
		}
	}
	for i, v := range pv.Sigs {
		ub := unhex(t, v.UpdateBytes)
		if !bytes.Equal(AllowlistDigest(ub), unhex(t, v.Digest)) {
			t.Errorf("sig[%d]: digest mismatch", i)
		}
		want := v.Valid == true || v.Valid == "True" || v.Valid == "true"
		if got := VerifyAllowlistSignature(unhex(t, v.Pubkey), ub, unhex(t, v.Signature)); got != want {
			t.Errorf("sig[%d] (%s): verify = %t, want %t", i, v.Why, got, want)
		}
	}
}

func TestHashVectors(t *testing.T) {
	var hv struct {
		ReportData      bindingVector `json:"report_data"`
		AllowlistDigest struct {
			UpdateBytes string `json:"update_bytes"`
			Expected    string `json:"expected"`
		} `json:"allowlist_digest"`
		EpochNonce nonceVector `json:"epoch_nonce"`
	}
	readJSON(t, "cosmos/snpattest-hash-vectors.json", &hv)
	r := hv.ReportData
	if got := ReportData(r.ChainID, r.Epoch, unhex(t, r.Nonce), r.Operator, r.Relayer, r.AllowlistVersion); !bytes.Equal(got, unhex(t, r.Expected)) {
		t.Errorf("report_data: got %x want %s", got, r.Expected)
	}
	if got := AllowlistDigest(unhex(t, hv.AllowlistDigest.UpdateBytes)); !bytes.Equal(got, unhex(t, hv.AllowlistDigest.Expected)) {
		t.Errorf("allowlist digest: got %x", got)
	}
	n := hv.EpochNonce
	if got := EpochNonce(n.ChainID, n.Epoch, unhex(t, n.PreviousBlockHash)); !bytes.Equal(got, unhex(t, n.Expected)) {
		t.Errorf("epoch nonce: got %x", got)
	}
	// The digest vector's update_bytes are a real AllowlistUpdate{chain_id, version 1}: strict decoding
	// must accept them up to the shape rules (prev_hash missing), and refuse a trailing byte.
	ub := unhex(t, hv.AllowlistDigest.UpdateBytes)
	if _, err := DecodeAllowlistUpdate(ub); err == nil {
		t.Error("update without prev_hash accepted")
	}
	if _, err := DecodeAllowlistUpdate(append(append([]byte{}, ub...), 0)); err == nil {
		t.Error("trailing byte accepted")
	}
}
