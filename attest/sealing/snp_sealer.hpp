// SnpDerivedSealer: seals a small secret under a key the SEV-SNP firmware derives for this VM
// (MSG_KEY_REQ, AMD SEV-SNP ABI spec 56860), so only the same VM image with the same policy on the same chip
// — and, when selected, the same or a newer TCB, guest SVN, family and image id — can open it.
//
// How a secret is sealed:
//   derived = source->derive_key(request)                         32 bytes from the firmware
//   salt    = 32 random bytes
//   KEK     = HKDF-SHA256(ikm = derived, salt, info = "snprelay/snp-sealed/v1"), 32 bytes
//   ciphertext, tag = AES-256-GCM(KEK, nonce = 12 random bytes, AAD = envelope header, secret)
// The derived key and the KEK live only in SecretBytes (wiped on every path). The request that was
// sent to the firmware is written into the envelope, so unseal() re-derives the same key without any
// configuration, and because the header is the GCM additional data, changing a recorded field (to
// make the firmware derive some other key) fails like a wrong key does.
//
// Envelope format, version 1 (all integers big-endian):
//
//   offset  size  field
//   0       4     magic "SRSD" (53 52 53 44)
//   4       1     format version = 1
//   5       1     root key: 0 = VCEK, 1 = VMRK
//   6       2     reserved, zero
//   8       8     GUEST_FIELD_SELECT: must hold measurement (bit 3) and policy (bit 0); may hold
//                 image id (1), family id (2), guest SVN (4), TCB version (5); bits 6..63 zero
//   16      4     VMPL, 0..3
//   20      4     GUEST_SVN; zero unless bit 4 is selected
//   24      8     TCB_VERSION; zero unless bit 5 is selected
//   32      32    HKDF salt
//   64      12    AES-GCM nonce
//   76      2     ciphertext length n, 1..128
//   78      n     ciphertext (AES-256-GCM, the same length as the secret)
//   78+n    16    GCM tag
//   94+n          end: nothing may follow
//
// The header — bytes 0..77, the ciphertext length included — is the GCM additional data. The format is
// canonical: decode_snp_envelope() accepts exactly what encode_snp_envelope() writes, so
// encode(decode(x)) == x for every accepted x. A new layout or KDF gets a new version; readers refuse
// versions they do not know.
//
// What it protects against, and what not (docs/DESIGN.md §9): a VCEK-rooted key is chip-unique, so
// an envelope does not survive moving the VM to another host; measurement and policy are not secret,
// so any VM with the same image and policy on the same chip can open it. Selecting the TCB makes a
// firmware downgrade below the recorded TCB fail; an upgrade still opens (the firmware derives keys of
// an older TCB up to COMMITTED_TCB). configfs-tsm has no key interface: sealing there fails with
// UNSUPPORTED — use the vTPM or a passphrase instead.
//
// Errors (component "attest"):
//   BAD_FIELDS       a field selection without measurement and policy, with reserved bits, a VMPL
//                    above 3, or an unknown name in a field list
//   BAD_SECRET       a secret that is empty or longer than 128 bytes
//   BAD_ENVELOPE     malformed envelope, naming the field (magic, version, root key, reserved bytes,
//                    field select, VMPL, SVN/TCB without their bit, length, truncation, trailing bytes)
//   SNP_KEY_MISMATCH the firmware derived a key that does not open the envelope (another image,
//                    policy or chip, or a tampered envelope)
//   CRYPTO_FAILED    OpenSSL failed (no randomness, cipher unavailable)
//   anything EvidenceSource::derive_key() or get_report() returns (UNSUPPORTED, FIRMWARE_ERROR,
//   DEVICE_MISSING, ...), with its code kept and the message prefixed with what was being done.
// No message ever holds the secret, the derived key or the KEK.
//
// Thread-safety: seal() and unseal() may run concurrently if the evidence source allows it (every
// EvidenceSource serialises its own requests); the sealer itself holds no mutable state.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "attest/evidence/evidence_source.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/sealer.hpp"
#include "common/secret.hpp"

namespace snprelay::attest {

inline constexpr std::uint8_t kSnpEnvelopeVersion = 1;
inline constexpr std::size_t kSnpEnvelopeHeaderSize = 78;  // the GCM additional data
inline constexpr std::size_t kSnpEnvelopeTagSize = 16;
inline constexpr std::size_t kSnpMaxSealedSecret = 128;
// The smallest and largest envelopes (1- and 128-byte secrets).
inline constexpr std::size_t kSnpEnvelopeMinSize = kSnpEnvelopeHeaderSize + 1 + kSnpEnvelopeTagSize;
inline constexpr std::size_t kSnpEnvelopeMaxSize =
    kSnpEnvelopeHeaderSize + kSnpMaxSealedSecret + kSnpEnvelopeTagSize;

// GUEST_FIELD_SELECT bits the sealer must / may use (the others are reserved).
inline constexpr std::uint64_t kSealRequiredFields = kFieldMeasurement | kFieldPolicy;
inline constexpr std::uint64_t kSealAllowedFields =
    kSealRequiredFields | kFieldTcbVersion | kFieldGuestSvn | kFieldFamilyId | kFieldImageId;

// An envelope's fields. `request` is what was sent to the firmware (guest_svn / tcb_version are zero
// when their bit is not selected).
struct SnpEnvelope {
  DerivedKeyRequest request;
  std::array<std::uint8_t, 32> salt{};
  std::array<std::uint8_t, 12> nonce{};
  Bytes ciphertext;  // 1..128 bytes
  std::array<std::uint8_t, kSnpEnvelopeTagSize> tag{};
};

// Writes the envelope format above. The caller keeps `envelope` within the format's ranges (a
// SnpEnvelope returned by decode_snp_envelope always is).
[[nodiscard]] Bytes encode_snp_envelope(const SnpEnvelope& envelope);

// Parses and checks an envelope from untrusted bytes; decrypts nothing. Error: BAD_ENVELOPE naming
// the first offending field.
[[nodiscard]] Result<SnpEnvelope> decode_snp_envelope(std::span<const std::uint8_t> bytes);

// "measurement,policy,tcb": the names of the selected fields, in the order measurement, policy, tcb,
// svn, family-id, image-id; reserved bits as "bit<N>". "" for 0.
[[nodiscard]] std::string field_names(std::uint64_t field_select);

// Parses a comma-separated list of field names (measurement, policy, tcb, svn, family-id, image-id;
// spaces around items allowed, duplicates merged) into GUEST_FIELD_SELECT bits. It checks names only,
// not whether the selection is fit for sealing (see check_sealing_request). Error: BAD_FIELDS naming
// the unknown or empty item and listing the known names.
[[nodiscard]] Result<std::uint64_t> parse_field_names(std::string_view csv);

// Whether `request` may be used to seal: measurement and policy selected, no reserved bit, VMPL 0..3.
// Error: BAD_FIELDS saying which rule failed. Lets configuration be checked before the first seal().
[[nodiscard]] Status check_sealing_request(const DerivedKeyRequest& request);

class SnpDerivedSealer final : public Sealer {
 public:
  // `source` is the firmware to derive keys from (shared: the relayer also takes reports from it).
  // `request` is the template seal() sends: root key, field selection, VMPL, guest SVN and TCB
  // version. It is checked on each seal() (BAD_FIELDS), never by unseal(), which takes everything
  // from the envelope. With the TCB selected and tcb_version == 0, seal() asks the source for a fresh
  // report at `request.vmpl` and uses its COMMITTED_TCB (the highest TCB the firmware derives for).
  SnpDerivedSealer(std::shared_ptr<EvidenceSource> source, DerivedKeyRequest request);

  // "snp-derived".
  [[nodiscard]] std::string_view mode() const override;

  // Seals 1..128 bytes. Errors: BAD_SECRET, BAD_FIELDS, CRYPTO_FAILED, and get_report() (TCB
  // selected with tcb_version 0) or derive_key() errors, code kept, message prefixed.
  [[nodiscard]] Result<Bytes> seal(const SecretBytes& secret) override;

  // Re-derives the key the envelope records and opens it. Errors: BAD_ENVELOPE, SNP_KEY_MISMATCH,
  // CRYPTO_FAILED, derive_key() errors (FIRMWARE_ERROR when this firmware refuses the recorded
  // request, e.g. a TCB above its COMMITTED_TCB after a downgrade), code kept, message prefixed.
  [[nodiscard]] Result<SecretBytes> unseal(std::span<const std::uint8_t> envelope) override;

  [[nodiscard]] const DerivedKeyRequest& request() const { return request_; }

 private:
  std::shared_ptr<EvidenceSource> source_;
  DerivedKeyRequest request_;
};

}  // namespace snprelay::attest
