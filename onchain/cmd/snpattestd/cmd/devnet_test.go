package cmd

import (
	"bytes"
	"crypto/sha512"
	"math/big"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/snprelay/snprelay/onchain/app"
	snptypes "github.com/snprelay/snprelay/onchain/x/snpattest/types"
)

func TestDefaultSubmitWindow(t *testing.T) {
	tests := []struct{ epoch, want uint64 }{
		{1, 1}, {2, 1}, {5, 4}, {10, 8}, {12, 9}, {600, 480},
	}
	for _, tc := range tests {
		got := defaultSubmitWindow(tc.epoch)
		if got != tc.want {
			t.Errorf("defaultSubmitWindow(%d) = %d, want %d", tc.epoch, got, tc.want)
		}
		if got == 0 || got > tc.epoch || (tc.epoch > 1 && got >= tc.epoch) {
			t.Errorf("defaultSubmitWindow(%d) = %d is not shorter than the epoch", tc.epoch, got)
		}
	}
}

func TestSimulatedMeasurement(t *testing.T) {
	want := sha512.Sum384([]byte("snprelay simulated guest"))
	if got := SimulatedMeasurement(); !bytes.Equal(got, want[:]) || len(got) != 48 {
		t.Errorf("SimulatedMeasurement = %x", got)
	}
}

// The allowlist signature is r ‖ s over SHA-256("snprelay/allowlist/v1" ‖ update_bytes) with a low S,
// and the module's own check accepts it.
func TestSignAllowlistDigestIsLowSAndVerifies(t *testing.T) {
	app.SetSDKConfig()
	halfOrder := new(big.Int).Rsh(secp256k1.S256().N, 1)
	dir := t.TempDir()
	for i, update := range [][]byte{[]byte("a"), bytes.Repeat([]byte{7}, 300), {}} {
		k, err := newDevnetKey(dir, "k"+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := signAllowlistDigest(k, snptypes.AllowlistDigest(update))
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != 64 {
			t.Fatalf("signature is %d bytes", len(sig))
		}
		if new(big.Int).SetBytes(sig[32:]).Cmp(halfOrder) > 0 {
			t.Errorf("S is high")
		}
		if !snptypes.VerifyAllowlistSignature(k.priv.PubKey().Bytes(), update, sig) {
			t.Errorf("the module does not accept the signature")
		}
		other := append([]byte{}, update...)
		other = append(other, 0)
		if snptypes.VerifyAllowlistSignature(k.priv.PubKey().Bytes(), other, sig) {
			t.Errorf("the signature verifies over other bytes")
		}
	}
	if _, err := signAllowlistDigest(devnetKey{}, []byte("short")); err == nil {
		t.Errorf("a digest that is not 32 bytes was signed")
	}
}

func TestPickPortsAreDistinct(t *testing.T) {
	ports, err := pickPorts(4, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		for _, port := range []int{p.P2P, p.RPC, p.ProxyApp, p.GRPC, p.API} {
			if port == 0 || seen[port] {
				t.Errorf("port %d zero or handed out twice", port)
			}
			seen[port] = true
		}
	}
}
