#include "attest/sealing/snp_sealer.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <utility>

#include "attest/report.hpp"
#include "attest/sealing/hkdf.hpp"
#include "common/aead.hpp"

namespace snprelay::attest {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'S', 'R', 'S', 'D'};
constexpr std::string_view kKekInfo = "snprelay/snp-sealed/v1";
constexpr std::size_t kKekSize = 32;

// Envelope offsets (snp_sealer.hpp).
constexpr std::size_t kOffVersion = 4;
constexpr std::size_t kOffRoot = 5;
constexpr std::size_t kOffReserved = 6;
constexpr std::size_t kOffFields = 8;
constexpr std::size_t kOffVmpl = 16;
constexpr std::size_t kOffSvn = 20;
constexpr std::size_t kOffTcb = 24;
constexpr std::size_t kOffSalt = 32;
constexpr std::size_t kOffNonce = 64;
constexpr std::size_t kOffLength = 76;
static_assert(kOffLength + 2 == kSnpEnvelopeHeaderSize);

struct FieldName {
  std::uint64_t bit;
  std::string_view name;
};
constexpr std::array<FieldName, 6> kFieldNames = {{{kFieldMeasurement, "measurement"},
                                                   {kFieldPolicy, "policy"},
                                                   {kFieldTcbVersion, "tcb"},
                                                   {kFieldGuestSvn, "svn"},
                                                   {kFieldFamilyId, "family-id"},
                                                   {kFieldImageId, "image-id"}}};
constexpr std::string_view kKnownFields = "measurement, policy, tcb, svn, family-id, image-id";

Error envelope_error(const std::string& what) {
  return make_error("attest", "BAD_ENVELOPE", "snp-derived envelope: " + what, ErrorKind::kInput);
}

Error crypto_error(const std::string& what) {
  return make_error("attest", "CRYPTO_FAILED", what);
}

// Keeps the source's code; says what the sealer was doing.
Error with_context(const Error& e, const std::string& doing) {
  std::string message = doing + ": " + e.message;
  if (e.code == "UNSUPPORTED")
    message += " (this evidence source cannot derive keys; use protection \"tpm\" or \"passphrase\")";
  return make_error("attest", e.code, std::move(message), e.kind);
}

void put_be(Bytes& out, std::size_t offset, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out[offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * (bytes - 1 - i)));
}

std::uint64_t get_be(std::span<const std::uint8_t> in, std::size_t offset, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | in[offset + static_cast<std::size_t>(i)];
  return v;
}

std::string hex64(std::uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// "measurement,policy,tcb=0x...,svn=N": the selection with the values that were requested.
std::string describe_selection(const DerivedKeyRequest& r) {
  std::string out;
  for (const auto& f : kFieldNames) {
    if ((r.field_select & f.bit) == 0)
      continue;
    out += (out.empty() ? "" : ",") + std::string(f.name);
    if (f.bit == kFieldTcbVersion)
      out += "=" + hex64(r.tcb_version);
    else if (f.bit == kFieldGuestSvn)
      out += "=" + std::to_string(r.guest_svn);
  }
  return out;
}

Result<SecretBytes> derive_kek(const SecretBytes& derived, std::span<const std::uint8_t> salt) {
  return hkdf_sha256(derived.view(), salt,
                     std::span(reinterpret_cast<const std::uint8_t*>(kKekInfo.data()), kKekInfo.size()),
                     kKekSize);
}

// A failure of the common AEAD helper, in attest's vocabulary (AUTH_FAILED is handled by the caller).
Error aead_error(const Error& e) {
  return crypto_error(e.message);
}

// The TCB to record when the TCB is selected without a value: COMMITTED_TCB of a fresh report, the
// highest TCB_VERSION the firmware accepts in a key request.
Result<std::uint64_t> committed_tcb(EvidenceSource& source, std::uint32_t vmpl) {
  auto nonce = random_array<64>();
  if (!nonce)
    return nonce.error();
  auto evidence = source.get_report(*nonce, vmpl);
  if (!evidence)
    return with_context(evidence.error(),
                        "reading COMMITTED_TCB from a fresh report for snp-derived sealing");
  auto report = parse_report(evidence->report);
  if (!report)
    return with_context(report.error(), "reading COMMITTED_TCB from a fresh report for snp-derived sealing");
  return report->committed_tcb;
}

}  // namespace

Bytes encode_snp_envelope(const SnpEnvelope& env) {
  // Sized once and written by offset (GCC 12 at -O3 misreads a reserve() + insert() sequence here as an
  // overflow, -Wstringop-overflow).
  Bytes out(kSnpEnvelopeHeaderSize + env.ciphertext.size() + env.tag.size(), 0);
  std::copy(kMagic.begin(), kMagic.end(), out.begin());
  out[kOffVersion] = kSnpEnvelopeVersion;
  out[kOffRoot] = static_cast<std::uint8_t>(env.request.root);
  put_be(out, kOffFields, env.request.field_select, 8);  // bytes 6..7 stay zero (reserved)
  put_be(out, kOffVmpl, env.request.vmpl, 4);
  put_be(out, kOffSvn, env.request.guest_svn, 4);
  put_be(out, kOffTcb, env.request.tcb_version, 8);
  std::copy(env.salt.begin(), env.salt.end(), out.begin() + kOffSalt);
  std::copy(env.nonce.begin(), env.nonce.end(), out.begin() + kOffNonce);
  put_be(out, kOffLength, env.ciphertext.size(), 2);
  const auto ct_at = out.begin() + kSnpEnvelopeHeaderSize;
  std::copy(env.ciphertext.begin(), env.ciphertext.end(), ct_at);
  std::copy(env.tag.begin(), env.tag.end(), ct_at + static_cast<std::ptrdiff_t>(env.ciphertext.size()));
  return out;
}

Result<SnpEnvelope> decode_snp_envelope(std::span<const std::uint8_t> in) {
  if (in.size() < kMagic.size() || !std::equal(kMagic.begin(), kMagic.end(), in.begin()))
    return envelope_error("bad magic (expected \"SRSD\")");
  if (in.size() < kSnpEnvelopeHeaderSize) {
    return envelope_error("truncated header: " + std::to_string(in.size()) + " bytes, the header has " +
                          std::to_string(kSnpEnvelopeHeaderSize));
  }
  if (in[kOffVersion] != kSnpEnvelopeVersion)
    return envelope_error("unknown format version " + std::to_string(in[kOffVersion]));
  if (in[kOffRoot] > 1)
    return envelope_error("unknown root key " + std::to_string(in[kOffRoot]) + " (0 = VCEK, 1 = VMRK)");
  if (get_be(in, kOffReserved, 2) != 0)
    return envelope_error("reserved bytes 6..7 are not zero");
  SnpEnvelope env;
  DerivedKeyRequest& r = env.request;
  r.root = in[kOffRoot] == 0 ? RootKey::kVcek : RootKey::kVmrk;
  r.field_select = get_be(in, kOffFields, 8);
  r.vmpl = static_cast<std::uint32_t>(get_be(in, kOffVmpl, 4));
  r.guest_svn = static_cast<std::uint32_t>(get_be(in, kOffSvn, 4));
  r.tcb_version = get_be(in, kOffTcb, 8);
  if ((r.field_select & ~kSealAllowedFields) != 0)
    return envelope_error("field select " + hex64(r.field_select) + " has reserved bits set");
  if ((r.field_select & kSealRequiredFields) != kSealRequiredFields)
    return envelope_error("field select " + hex64(r.field_select) + " lacks measurement or policy");
  if (r.vmpl > 3)
    return envelope_error("VMPL " + std::to_string(r.vmpl) + " is above 3");
  if ((r.field_select & kFieldGuestSvn) == 0 && r.guest_svn != 0)
    return envelope_error("guest SVN is set but not selected");
  if ((r.field_select & kFieldTcbVersion) == 0 && r.tcb_version != 0)
    return envelope_error("TCB version is set but not selected");
  std::copy_n(in.begin() + kOffSalt, env.salt.size(), env.salt.begin());
  std::copy_n(in.begin() + kOffNonce, env.nonce.size(), env.nonce.begin());
  const auto length = static_cast<std::size_t>(get_be(in, kOffLength, 2));
  if (length == 0 || length > kSnpMaxSealedSecret)
    return envelope_error("ciphertext length " + std::to_string(length) + " is outside 1..128");
  const std::size_t total = kSnpEnvelopeHeaderSize + length + kSnpEnvelopeTagSize;
  if (in.size() < total) {
    return envelope_error("truncated: " + std::to_string(in.size()) + " bytes, the ciphertext length needs " +
                          std::to_string(total));
  }
  if (in.size() > total)
    return envelope_error(std::to_string(in.size() - total) + " trailing bytes after the tag");
  const auto ciphertext = in.subspan(kSnpEnvelopeHeaderSize, length);
  const auto tag = in.subspan(kSnpEnvelopeHeaderSize + length, kSnpEnvelopeTagSize);
  env.ciphertext.assign(ciphertext.begin(), ciphertext.end());
  std::copy(tag.begin(), tag.end(), env.tag.begin());
  return env;
}

std::string field_names(std::uint64_t field_select) {
  std::string out;
  for (const auto& f : kFieldNames) {
    if ((field_select & f.bit) != 0)
      out += (out.empty() ? "" : ",") + std::string(f.name);
  }
  for (int bit = 6; bit < 64; ++bit) {
    if (((field_select >> bit) & 1U) != 0)
      out += (out.empty() ? "bit" : ",bit") + std::to_string(bit);
  }
  return out;
}

Result<std::uint64_t> parse_field_names(std::string_view csv) {
  std::uint64_t bits = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = csv.find(',', start);
    std::string_view item =
        csv.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (item.empty()) {
      return make_error("attest", "BAD_FIELDS",
                        "field list \"" + std::string(csv) +
                            "\" has an empty item (known: " + std::string(kKnownFields) + ")",
                        ErrorKind::kInput);
    }
    const auto* it = std::find_if(kFieldNames.begin(), kFieldNames.end(),
                                  [&](const FieldName& f) { return f.name == item; });
    if (it == kFieldNames.end()) {
      return make_error(
          "attest", "BAD_FIELDS",
          "unknown field \"" + std::string(item) + "\" (known: " + std::string(kKnownFields) + ")",
          ErrorKind::kInput);
    }
    bits |= it->bit;
    if (comma == std::string_view::npos)
      return bits;
    start = comma + 1;
  }
}

Status check_sealing_request(const DerivedKeyRequest& request) {
  if ((request.field_select & ~kSealAllowedFields) != 0) {
    return make_error("attest", "BAD_FIELDS",
                      "field select " + hex64(request.field_select) + " has reserved bits set (" +
                          field_names(request.field_select & ~kSealAllowedFields) + ")",
                      ErrorKind::kInput);
  }
  if ((request.field_select & kSealRequiredFields) != kSealRequiredFields) {
    return make_error("attest", "BAD_FIELDS",
                      "snp-derived sealing must select measurement and policy (selected: \"" +
                          field_names(request.field_select) +
                          "\"): without them any VM image or policy on this chip could open the envelope",
                      ErrorKind::kInput);
  }
  if (request.vmpl > 3)
    return make_error("attest", "BAD_FIELDS", "VMPL " + std::to_string(request.vmpl) + " is above 3",
                      ErrorKind::kInput);
  if (request.root != RootKey::kVcek && request.root != RootKey::kVmrk)
    return make_error("attest", "BAD_FIELDS", "unknown root key", ErrorKind::kInput);
  return ok_status();
}

SnpDerivedSealer::SnpDerivedSealer(std::shared_ptr<EvidenceSource> source, DerivedKeyRequest request)
    : source_(std::move(source)), request_(request) {}

std::string_view SnpDerivedSealer::mode() const {
  return "snp-derived";
}

Result<Bytes> SnpDerivedSealer::seal(const SecretBytes& secret) {
  if (secret.empty() || secret.size() > kSnpMaxSealedSecret) {
    return make_error("attest", "BAD_SECRET",
                      "a sealed secret must be 1..128 bytes, not " + std::to_string(secret.size()),
                      ErrorKind::kInput);
  }
  if (Status st = check_sealing_request(request_); !st)
    return st.error();
  SnpEnvelope env;
  env.request = request_;
  // Values of unselected fields do not reach the key: record them as zero (the canonical form).
  if ((env.request.field_select & kFieldGuestSvn) == 0)
    env.request.guest_svn = 0;
  if ((env.request.field_select & kFieldTcbVersion) == 0) {
    env.request.tcb_version = 0;
  } else if (env.request.tcb_version == 0) {
    auto tcb = committed_tcb(*source_, env.request.vmpl);
    if (!tcb)
      return tcb.error();
    env.request.tcb_version = *tcb;
  }
  auto salt = random_array<32>();
  auto nonce = random_array<12>();
  if (!salt)
    return salt.error();
  if (!nonce)
    return nonce.error();
  env.salt = *salt;
  env.nonce = *nonce;
  env.ciphertext.assign(secret.size(), 0);  // the header records the length

  SecretBytes kek;
  {
    auto derived = source_->derive_key(env.request);
    if (!derived) {
      return with_context(derived.error(), "deriving the snp-derived sealing key (fields " +
                                               describe_selection(env.request) + ")");
    }
    auto k = derive_kek(*derived, env.salt);
    if (!k)
      return k.error();
    kek = std::move(*k);
  }  // the firmware's key is wiped here
  const Bytes header = encode_snp_envelope(env);
  auto sealed =
      aead_seal(kek.view(), env.nonce, std::span(header).first(kSnpEnvelopeHeaderSize), secret.view());
  if (!sealed)
    return aead_error(sealed.error());
  std::copy_n(sealed->begin(), secret.size(), env.ciphertext.begin());
  std::copy_n(sealed->begin() + static_cast<std::ptrdiff_t>(secret.size()), env.tag.size(), env.tag.begin());
  return encode_snp_envelope(env);
}

Result<SecretBytes> SnpDerivedSealer::unseal(std::span<const std::uint8_t> envelope) {
  auto env = decode_snp_envelope(envelope);
  if (!env)
    return env.error();
  SecretBytes kek;
  {
    auto derived = source_->derive_key(env->request);
    if (!derived) {
      return with_context(derived.error(), "re-deriving the key of an snp-derived envelope (fields " +
                                               describe_selection(env->request) + ")");
    }
    auto k = derive_kek(*derived, env->salt);
    if (!k)
      return k.error();
    kek = std::move(*k);
  }
  // The envelope ends with ciphertext || tag, the layout aead_open() takes.
  auto plain = aead_open(kek.view(), env->nonce, envelope.first(kSnpEnvelopeHeaderSize),
                         envelope.subspan(kSnpEnvelopeHeaderSize));
  if (!plain && plain.error().code != "AUTH_FAILED")
    return aead_error(plain.error());
  if (!plain) {
    const std::string root = env->request.root == RootKey::kVcek ? "vcek" : "vmrk";
    return make_error("attest", "SNP_KEY_MISMATCH",
                      "the key derived by this VM's SNP firmware does not open this envelope: this VM's "
                      "measurement or policy (fields selected: " +
                          describe_selection(env->request) + "; root " + root + ", vmpl " +
                          std::to_string(env->request.vmpl) +
                          ") differ from those when it was sealed, or it runs on another chip, or the "
                          "envelope was altered",
                      // This VM cannot open it (exit 3), as with a TPM whose PCRs moved; the file is fine.
                      ErrorKind::kUnavailable);
  }
  return plain;
}

}  // namespace snprelay::attest
