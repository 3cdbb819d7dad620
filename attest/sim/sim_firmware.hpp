// The simulated SNP firmware: byte-exact, AMD-signed-looking reports and derived keys on any machine.
//
// State directory (created 0700; private files 0600), made once and reused:
//   ark.pem, ask.pem      the simulated ARK (self-signed) and ASK, RSA-4096, AMD's names, RSASSA-PSS
//   ark.key, ask.key      their private keys (PKCS#8 PEM); generated on creation unless already placed
//                         in the directory (an operator's own keys, or fixed test keys: RSA-4096
//                         generation takes seconds)
//   product               "Milan", "Genoa" or "Turin": the product the chain was minted for
//   chip_id               64 bytes, hex (Turin uses the first 8; the rest are zero)
//   root_secret           32 random bytes, hex: the root of every derived key
//   report_id             32 random bytes, hex: REPORT_ID of this simulated guest
//   vcek-<TCB hex>.key    one P-384 VCEK key per TCB, minted when first needed (as AMD derives a new
//                         VCEK per TCB); its certificate is re-minted from the key on demand
// A verifier trusts these reports only when told to (`snprelay verify --trust-root DIR/ark.pem`);
// otherwise they fail with CHAIN_UNTRUSTED. Every report and key from here is simulated, and the
// EvidenceSource built on it says so (SourceInfo::simulated, Evidence::simulated).
//
// Reports follow docs/snp-report.md exactly: version 2, 3 (default) or 5; the configured measurement,
// policy, TCB (current = reported = committed = launch), VMPL, host data, family/image id and guest
// SVN; CPUID family/model/stepping of the product (v3+); REPORT_ID_MA all 0xFF; firmware 1.55.21;
// signed with the VCEK of the configured TCB over bytes [0, 0x2A0).
//
// Derived keys: HKDF-SHA256 keyed by root_secret over a transcript of MSG_KEY_REQ's fields — root
// key select, VMPL, GUEST_FIELD_SELECT and each selected field (policy, image id, family id,
// measurement, the requested guest SVN and TCB) — so guests with different measurements derive
// different keys, and the same request always derives the same key. Requests a real firmware refuses
// (VMPL below the guest's, guest SVN above the launch SVN, TCB above the committed TCB, VMRK without a
// migration agent) are refused the same way (FIRMWARE_ERROR, INVALID_PARAM / INVALID_KEY).
//
// Thread-safety: get_report/derive_key/certificate accessors may be called concurrently.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "attest/evidence/evidence_source.hpp"
#include "attest/ossl.hpp"
#include "attest/sim/kds_store.hpp"
#include "attest/tcb.hpp"

namespace snprelay::attest {

struct SimSettings {
  Product product = Product::kMilan;
  std::uint32_t version = 3;  // 2, 3 or 5
  TcbParts tcb = default_tcb(Product::kMilan);
  // The default stands for "not set": a firmware launched with an image (sim_launch.hpp) then reports
  // that image's computed measurement instead.
  std::array<std::uint8_t, 48> measurement = default_measurement();
  std::uint64_t policy = 0x30000;  // SMT allowed, reserved bit 17, ABI 0.0, no debug
  std::uint32_t guest_vmpl = 0;    // the guest's own VMPL: requests below it are refused
  std::array<std::uint8_t, 32> host_data{};
  std::array<std::uint8_t, 16> family_id{};
  std::array<std::uint8_t, 16> image_id{};
  std::uint32_t guest_svn = 0;

  // Milan/Genoa: bl 3, tee 0, snp 8, ucode 115 (above the guide's minimum); Turin adds fmc 0.
  [[nodiscard]] static TcbParts default_tcb(Product product);
  // SHA-384("snprelay simulated guest"): a stable, recognisable measurement.
  [[nodiscard]] static std::array<std::uint8_t, 48> default_measurement();
};

class SimFirmware {
 public:
  // Opens or creates the state in `state_dir`. Errors: SIM_STATE (unreadable/corrupt state, a state
  // made for another product, bad settings) naming the file; MINT_FAILED.
  [[nodiscard]] static Result<std::shared_ptr<SimFirmware>> open(const std::string& state_dir,
                                                                 SimSettings settings);

  // Makes `chip_dir` another simulated chip under the simulated root of `root_dir` (a complete state,
  // opened once by `open`): a devnet gives each validator its own CHIP_ID and VCEKs, as the chain allows
  // only max_operators_per_chip validators per chip, while every chip chains to the one ARK/ASK pair of
  // the genesis's simulated_roots. The root's ark.key, ask.key, ark.pem, ask.pem and product are copied
  // byte for byte, and its launched_image (sim_launch.hpp) on every call, so a re-launched root's image
  // reaches its chips; chip_id, root_secret and report_id are derived from
  // the root's own values and `index` (SHA-512 / SHA-256 of a domain tag, the root value and the index),
  // so one (root, index) always gives the same chip and distinct indexes give distinct chips. Index 0 is
  // allowed and is not the root's own chip. A `chip_dir` already made from the same root and index keeps
  // its identity; one holding another chip is SIM_STATE naming the file that differs.
  // Errors: SIM_STATE (root incomplete or unreadable, chip_dir unwritable or different).
  [[nodiscard]] static Status create_chip(const std::string& root_dir, std::uint32_t index,
                                          const std::string& chip_dir);

  // A signed 1184-byte report carrying `report_data`, requested at `vmpl`.
  [[nodiscard]] Result<Bytes> report(std::span<const std::uint8_t, 64> report_data, std::uint32_t vmpl);
  [[nodiscard]] Result<SecretBytes> derive_key(const DerivedKeyRequest& request) const;

  // DER VCEK for `tcb` (minting its key on first use).
  [[nodiscard]] Result<Bytes> vcek_der(const TcbParts& tcb);
  [[nodiscard]] const X509& ark() const { return *ark_; }
  [[nodiscard]] const X509& ask() const { return *ask_; }
  [[nodiscard]] std::string chain_pem() const;  // ASK then ARK, as KDS serves cert_chain
  [[nodiscard]] Result<Bytes> crl_der() const;  // empty CRL by the ARK, valid for 7 days from now
  [[nodiscard]] const std::array<std::uint8_t, 64>& chip_id() const { return chip_id_; }
  [[nodiscard]] const SimSettings& settings() const { return settings_; }
  [[nodiscard]] const std::string& state_dir() const { return dir_; }

 private:
  SimFirmware() = default;
  // The VCEK key and certificate (DER) of one TCB. Their files never change once written, so each is
  // read (or minted) once per process and kept here.
  struct Vcek {
    EvpPkeyPtr key;
    Bytes der;
  };
  [[nodiscard]] Result<const Vcek*> vcek(const TcbParts& tcb);     // REQUIRES(mutex_)
  [[nodiscard]] Result<EvpPkeyPtr> vcek_key(const TcbParts& tcb);  // REQUIRES(mutex_)
  [[nodiscard]] Result<X509Ptr> vcek_cert(const TcbParts& tcb, EVP_PKEY* key) const;

  std::string dir_;
  SimSettings settings_;
  EvpPkeyPtr ark_key_, ask_key_;
  X509Ptr ark_, ask_;
  std::array<std::uint8_t, 64> chip_id_{};
  std::array<std::uint8_t, 32> report_id_{};
  SecretBytes root_secret_;
  std::mutex mutex_;
  std::map<std::string, Vcek> vceks_;  // by TCB (tcb_hex); GUARDED_BY(mutex_)
};

// The simulated firmware as an EvidenceSource: reports come with a host certificate table holding
// the VCEK, ASK and ARK (as a GCP host supplies them), all flagged simulated.
[[nodiscard]] std::unique_ptr<EvidenceSource> make_simulated_source(std::shared_ptr<SimFirmware> firmware);

// The simulated firmware's certificates as a KDS store: VCEKs for its chip at any TCB, the chain,
// and a CRL; VLEK paths are NOT_FOUND (the simulated firmware signs with a VCEK).
[[nodiscard]] std::shared_ptr<KdsStore> make_sim_kds_store(std::shared_ptr<SimFirmware> firmware);

}  // namespace snprelay::attest
