package types

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
)

// Domain-separation tags of PROTOCOL.md "Encodings used in hashes".
const (
	nonceTag     = "snprelay/nonce/v1"
	reportTag    = "snprelay/report/v1"
	allowlistTag = "snprelay/allowlist/v1"
)

// lp appends a big-endian u16 length and the bytes of s. Callers guarantee len(s) < 65536 (bech32
// addresses and chain ids are far shorter; ValidateBasic refuses anything longer).
func lp(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// EpochNonce is nonce_e = SHA-256("snprelay/nonce/v1" ‖ lp(chain_id) ‖ u64be(e) ‖ previous_block_hash).
func EpochNonce(chainID string, epoch uint64, prevBlockHash []byte) []byte {
	b := lp([]byte(nonceTag), chainID)
	b = binary.BigEndian.AppendUint64(b, epoch)
	b = append(b, prevBlockHash...)
	sum := sha256.Sum256(b)
	return sum[:]
}

// ReportData is the 64-byte binding of PROTOCOL.md: SHA-512("snprelay/report/v1" ‖ lp(chain_id) ‖
// u64be(epoch) ‖ nonce ‖ lp(operator) ‖ lp(relayer) ‖ u64be(allowlist_version)).
func ReportData(chainID string, epoch uint64, nonce []byte, operator, relayer string, allowlistVersion uint64) []byte {
	b := lp([]byte(reportTag), chainID)
	b = binary.BigEndian.AppendUint64(b, epoch)
	b = append(b, nonce...)
	b = lp(b, operator)
	b = lp(b, relayer)
	b = binary.BigEndian.AppendUint64(b, allowlistVersion)
	sum := sha512.Sum512(b)
	return sum[:]
}

// AllowlistDigest is what allowlist signers sign: SHA-256("snprelay/allowlist/v1" ‖ update_bytes).
func AllowlistDigest(updateBytes []byte) []byte {
	sum := sha256.Sum256(append([]byte(allowlistTag), updateBytes...))
	return sum[:]
}
