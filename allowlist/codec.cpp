// The one protobuf translation unit of allowlist/: plain structs <-> snpattest.v1 messages.
#include "allowlist/codec.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <set>
#include <string>
#include <tuple>

#include "chain/protocol/binding.hpp"
#include "snpattest/v1/query.pb.h"
#include "snpattest/v1/tx.pb.h"
#include "snpattest/v1/types.pb.h"

namespace snprelay::allowlist {
namespace {

namespace pb = ::snpattest::v1;

Error malformed(const std::string& what) {
  return make_error("allowlist", "MALFORMED_UPDATE", "allowlist update: " + what, ErrorKind::kRejected);
}

Bytes to_bytes(const std::string& s) {
  return {s.begin(), s.end()};
}
std::string to_string(const Bytes& b) {
  return {b.begin(), b.end()};
}

Bytes serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  m.SerializeToString(&out);
  return to_bytes(out);
}

void fill_entry(const Entry& e, pb::AllowlistEntry* out) {
  out->set_measurement(to_string(e.measurement));
  out->set_label(e.label);
  out->set_min_guest_svn(e.min_guest_svn);
  out->set_policy_mask(e.policy_mask);
  out->set_policy_value(e.policy_value);
  out->set_family_id(to_string(e.family_id));
  out->set_image_id(to_string(e.image_id));
  out->set_host_data(to_string(e.host_data));
  out->set_expiry_height(e.expiry_height);
}

Entry read_entry(const pb::AllowlistEntry& e) {
  Entry out;
  out.measurement = to_bytes(e.measurement());
  out.label = e.label();
  out.min_guest_svn = e.min_guest_svn();
  out.policy_mask = e.policy_mask();
  out.policy_value = e.policy_value();
  out.family_id = to_bytes(e.family_id());
  out.image_id = to_bytes(e.image_id());
  out.host_data = to_bytes(e.host_data());
  out.expiry_height = e.expiry_height();
  return out;
}

void fill_signatures(const std::vector<Signature>& sigs,
                     google::protobuf::RepeatedPtrField<pb::AllowlistSignature>* out) {
  for (const auto& s : sigs) {
    auto* p = out->Add();
    p->set_key_id(s.key_id);
    p->set_signature(to_string(s.signature));
  }
}

std::vector<Signature> read_signatures(const google::protobuf::RepeatedPtrField<pb::AllowlistSignature>& in) {
  std::vector<Signature> out;
  out.reserve(static_cast<std::size_t>(in.size()));
  for (const auto& s : in)
    out.push_back({s.key_id(), to_bytes(s.signature())});
  return out;
}

std::string hex_of(const Bytes& b) {
  return to_hex(b);
}

}  // namespace

Bytes encode_update(const Update& u) {
  pb::AllowlistUpdate m;
  m.set_chain_id(u.chain_id);
  m.set_version(u.version);
  m.set_prev_hash(to_string(u.prev_hash));
  m.mutable_add()->Reserve(static_cast<int>(u.add.size()));
  for (const auto& e : u.add)
    fill_entry(e, m.add_add());
  for (const auto& r : u.revoke)
    m.add_revoke(to_string(r));
  for (const auto& t : u.min_tcb) {
    auto* p = m.add_min_tcb();
    p->set_product(t.product);
    p->set_boot_loader(t.boot_loader);
    p->set_tee(t.tee);
    p->set_snp(t.snp);
    p->set_microcode(t.microcode);
    p->set_fmc(t.fmc);
  }
  m.set_valid_until_height(u.valid_until_height);
  m.set_memo(u.memo);
  for (const auto& h : u.deny_chip_id_sha256)
    m.add_deny_chip_id_sha256(to_string(h));
  for (const auto& h : u.deny_cert_sha256)
    m.add_deny_cert_sha256(to_string(h));
  for (const auto& p : u.withdraw_products)
    m.add_withdraw_products(p);
  for (const auto& h : u.undeny_chip_id_sha256)
    m.add_undeny_chip_id_sha256(to_string(h));
  for (const auto& h : u.undeny_cert_sha256)
    m.add_undeny_cert_sha256(to_string(h));
  for (const auto& p : u.restore_products)
    m.add_restore_products(p);
  return serialize(m);
}

Result<Update> decode_update(std::span<const std::uint8_t> bytes) {
  pb::AllowlistUpdate m;
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
      !m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return malformed("update_bytes is not an AllowlistUpdate");
  // Go drops unknown fields when it decodes, so re-encoding differs and the bytes are refused; C++
  // keeps them and would re-emit them, so they are dropped here first to refuse the same inputs.
  m.DiscardUnknownFields();
  std::string canon;
  m.SerializeToString(&canon);
  if (canon.size() != bytes.size() ||
      (!canon.empty() && std::memcmp(canon.data(), bytes.data(), canon.size()) != 0))
    return malformed(
        "update_bytes is not the canonical encoding of an AllowlistUpdate (unknown fields or "
        "trailing bytes)");
  Update u;
  u.chain_id = m.chain_id();
  u.version = m.version();
  u.prev_hash = to_bytes(m.prev_hash());
  u.add.reserve(static_cast<std::size_t>(m.add_size()));
  for (const auto& e : m.add())
    u.add.push_back(read_entry(e));
  for (const auto& r : m.revoke())
    u.revoke.push_back(to_bytes(r));
  for (const auto& t : m.min_tcb())
    u.min_tcb.push_back({t.product(), t.boot_loader(), t.tee(), t.snp(), t.microcode(), t.fmc()});
  u.valid_until_height = m.valid_until_height();
  u.memo = m.memo();
  // Fields 9-14 are carried, never dropped: the update's bytes are what the signers signed, so a copy that
  // re-encoded without them would not be the update the chain applied.
  for (const auto& h : m.deny_chip_id_sha256())
    u.deny_chip_id_sha256.push_back(to_bytes(h));
  for (const auto& h : m.deny_cert_sha256())
    u.deny_cert_sha256.push_back(to_bytes(h));
  u.withdraw_products.assign(m.withdraw_products().begin(), m.withdraw_products().end());
  for (const auto& h : m.undeny_chip_id_sha256())
    u.undeny_chip_id_sha256.push_back(to_bytes(h));
  for (const auto& h : m.undeny_cert_sha256())
    u.undeny_cert_sha256.push_back(to_bytes(h));
  u.restore_products.assign(m.restore_products().begin(), m.restore_products().end());
  if (auto st = validate_shape(u); !st)
    return st.error();
  return u;
}

namespace {

// The caller has checked that `bytes` is kMeasurementSize long.
Measurement to_measurement(const Bytes& bytes) {
  Measurement m{};
  std::copy(bytes.begin(), bytes.end(), m.begin());
  return m;
}

Status check_entry_shape(const Entry& e, std::size_t i) {
  const std::string at = "add[" + std::to_string(i) + "]: ";
  if (e.measurement.size() != kMeasurementSize)
    return malformed(at + "measurement is " + std::to_string(e.measurement.size()) + " bytes, want 48");
  const struct {
    const char* name;
    const Bytes& value;
    std::size_t size;
  } optional[] = {{"family_id", e.family_id, kFamilyIdSize},
                  {"image_id", e.image_id, kImageIdSize},
                  {"host_data", e.host_data, kHostDataSize}};
  for (const auto& f : optional) {
    if (!f.value.empty() && f.value.size() != f.size)
      return malformed(at + f.name + " is " + std::to_string(f.value.size()) + " bytes, want 0 or " +
                       std::to_string(f.size));
  }
  if (e.expiry_height < 0)
    return malformed(at + "expiry_height " + std::to_string(e.expiry_height) + " is negative");
  return ok_status();
}

}  // namespace

Status validate_shape(const Update& u) {
  if (u.chain_id.empty())
    return malformed("chain_id is empty");
  if (u.version == 0)
    return malformed("version 0");
  if (u.prev_hash.size() != kHashSize)
    return malformed("prev_hash is " + std::to_string(u.prev_hash.size()) + " bytes, want 32");
  if (u.valid_until_height < 0)
    return malformed("valid_until_height " + std::to_string(u.valid_until_height) + " is negative");
  // Keyed by fixed-size Measurement, not Bytes: both are 48 bytes here, but GCC 12 at -O3 cannot prove a
  // std::vector's size is bounded and fails the Release build with a false -Wstringop-overread inside
  // std::set<std::vector<uint8_t>>'s memcmp.
  std::set<Measurement> added;
  for (std::size_t i = 0; i < u.add.size(); ++i) {
    if (auto st = check_entry_shape(u.add[i], i); !st)
      return st;
    if (!added.insert(to_measurement(u.add[i].measurement)).second)
      return malformed("add[" + std::to_string(i) + "]: measurement " + hex_of(u.add[i].measurement) +
                       " listed twice");
  }
  std::set<Measurement> revoked;
  for (std::size_t i = 0; i < u.revoke.size(); ++i) {
    const auto& bytes = u.revoke[i];
    if (bytes.size() != kMeasurementSize)
      return malformed("revoke[" + std::to_string(i) + "] is " + std::to_string(bytes.size()) +
                       " bytes, want 48");
    const Measurement m = to_measurement(bytes);
    if (added.contains(m) || !revoked.insert(m).second)
      return malformed("revoke[" + std::to_string(i) + "]: measurement " + hex_of(bytes) +
                       " is also added or revoked twice");
  }
  // The chain's rules for fields 9-14 (onchain/x/snpattest/types/allowlist.go checkDenyPair): every hash
  // 32 bytes and listed once across its deny/undeny pair; every product known and listed once across
  // withdraw/restore.
  for (const auto& [what, deny, undeny] :
       {std::tuple{"chip_id_sha256", &u.deny_chip_id_sha256, &u.undeny_chip_id_sha256},
        std::tuple{"cert_sha256", &u.deny_cert_sha256, &u.undeny_cert_sha256}}) {
    std::set<UpdateHash> seen;  // fixed-size keys: see `added` above on GCC 12 and std::set<Bytes>
    for (const auto& [field, list] : {std::pair{"deny_", deny}, std::pair{"undeny_", undeny}}) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string at = std::string(field) + what + "[" + std::to_string(i) + "]";
        if ((*list)[i].size() != kHashSize)
          return malformed(at + " is " + std::to_string((*list)[i].size()) + " bytes, want 32");
        UpdateHash h{};
        std::copy((*list)[i].begin(), (*list)[i].end(), h.begin());
        if (!seen.insert(h).second)
          return malformed(at + ": " + hex_of((*list)[i]) + " listed twice");
      }
    }
  }
  std::set<std::string> listed;
  for (const auto& [field, list] : {std::pair{"withdraw_products", &u.withdraw_products},
                                    std::pair{"restore_products", &u.restore_products}}) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string& p = (*list)[i];
      const std::string at = std::string(field) + "[" + std::to_string(i) + "]";
      if (p != "Milan" && p != "Genoa" && p != "Turin")
        return malformed(at + ": unknown product \"" + p + "\"");
      if (!listed.insert(p).second)
        return malformed(at + ": product " + p +
                         " listed twice across withdraw_products and restore_products");
    }
  }
  std::set<std::string> products;
  for (std::size_t i = 0; i < u.min_tcb.size(); ++i) {
    const auto& p = u.min_tcb[i].product;
    if (p != "Milan" && p != "Genoa" && p != "Turin")
      return malformed("min_tcb[" + std::to_string(i) + "]: unknown product \"" + p + "\"");
    if (!products.insert(p).second)
      return malformed("min_tcb[" + std::to_string(i) + "]: product " + p + " listed twice");
  }
  return ok_status();
}

UpdateHash update_hash(std::span<const std::uint8_t> update_bytes) {
  return chain::crypto::sha256(update_bytes);
}

UpdateHash signing_digest(std::span<const std::uint8_t> update_bytes) {
  return chain::protocol::allowlist_signing_digest(update_bytes);
}

Bytes encode_updates_request(std::uint64_t from_version, std::uint32_t limit) {
  pb::QueryAllowlistUpdatesRequest m;
  m.set_from_version(from_version);
  m.set_limit(limit);
  return serialize(m);
}

Result<std::vector<UpdateRecord>> decode_updates_response(std::span<const std::uint8_t> bytes) {
  pb::QueryAllowlistUpdatesResponse m;
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
      !m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return make_error("allowlist", "BAD_QUERY_REPLY", "AllowlistUpdates reply does not decode",
                      ErrorKind::kUnavailable);
  std::vector<UpdateRecord> out;
  out.reserve(static_cast<std::size_t>(m.updates_size()));
  for (const auto& r : m.updates())
    out.push_back(
        {r.version(), to_bytes(r.update_bytes()), read_signatures(r.signatures()), r.applied_height()});
  return out;
}

Bytes encode_updates_response(const std::vector<UpdateRecord>& records) {
  pb::QueryAllowlistUpdatesResponse m;
  for (const auto& r : records) {
    auto* p = m.add_updates();
    p->set_version(r.version);
    p->set_update_bytes(to_string(r.update_bytes));
    fill_signatures(r.signatures, p->mutable_signatures());
    p->set_applied_height(r.applied_height);
  }
  return serialize(m);
}

Result<SignerSet> decode_signers_response(std::span<const std::uint8_t> bytes) {
  pb::QueryAllowlistSignersResponse m;
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
      !m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return make_error("allowlist", "BAD_QUERY_REPLY", "AllowlistSigners reply does not decode",
                      ErrorKind::kUnavailable);
  SignerSet out;
  for (const auto& s : m.signers())
    out.signers.push_back({s.key_id(), to_bytes(s.pubkey())});
  out.threshold = m.threshold();
  return out;
}

Bytes encode_signers_response(const SignerSet& set) {
  pb::QueryAllowlistSignersResponse m;
  for (const auto& s : set.signers) {
    auto* p = m.add_signers();
    p->set_key_id(s.key_id);
    p->set_pubkey(to_string(s.pubkey));
  }
  m.set_threshold(set.threshold);
  return serialize(m);
}

Bytes encode_msg_update_allowlist(const std::string& submitter, std::span<const std::uint8_t> update_bytes,
                                  const std::vector<Signature>& signatures) {
  pb::MsgUpdateAllowlist msg;
  msg.set_submitter(submitter);
  msg.set_update_bytes(std::string(update_bytes.begin(), update_bytes.end()));
  fill_signatures(signatures, msg.mutable_signatures());
  return serialize(msg);
}

}  // namespace snprelay::allowlist
