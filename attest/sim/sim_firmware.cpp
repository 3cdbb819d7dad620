#include "attest/sim/sim_firmware.hpp"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "attest/certs.hpp"
#include "attest/evidence/cert_table.hpp"
#include "attest/report.hpp"
#include "attest/sealing/hkdf.hpp"
#include "attest/sim/amd_cert_mint.hpp"
#include "attest/sim/sim_launch.hpp"
#include "common/aead.hpp"
#include "common/file_io.hpp"

namespace snprelay::attest {
namespace {

namespace fs = std::filesystem;

constexpr std::time_t kRootNotBefore = 1577836800;  // 2020-01-01, as AMD's roots
constexpr std::time_t kRootNotAfter = 2366841600;   // 2045-01-01
constexpr std::time_t kSevenYears = 7L * 365 * 24 * 3600;

Error state_error(const std::string& what) {
  return make_error("attest", "SIM_STATE", what, ErrorKind::kInput);
}

Error firmware_refusal(const char* status, const std::string& why) {
  return make_error("attest", "FIRMWARE_ERROR",
                    std::string("simulated firmware: status ") + status + ": " + why);
}

// Writes a state file readable only by its owner; the file is replaced atomically.
Status write_private(const std::string& path, std::string_view text) {
  if (auto st = write_file_atomic(path, text, 0600); !st)
    return state_error(st.error().message);
  return ok_status();
}

Result<std::string> read_text(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes)
    return state_error(bytes.error().message);
  std::string s(bytes->begin(), bytes->end());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> read_hex_array(const std::string& path) {
  auto text = read_text(path);
  if (!text)
    return text.error();
  auto bytes = from_hex(*text);
  if (!bytes || bytes->size() != N)
    return state_error(path + " does not hold " + std::to_string(N) + " hex bytes");
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> random_or_abort() {
  auto out = random_array<N>();
  if (!out)
    std::abort();  // no entropy: cannot run safely
  return *out;
}

Result<EvpPkeyPtr> load_key(const std::string& path) {
  auto pem = read_file(path);
  if (!pem)
    return state_error(pem.error().message);
  auto key = parse_private_key_pem(*pem);
  if (!key)
    return state_error(path + ": " + key.error().message);
  return key;
}

Result<X509Ptr> load_cert(const std::string& path) {
  auto pem = read_file(path);
  if (!pem)
    return state_error(pem.error().message);
  auto certs = parse_certs_any(*pem);
  if (!certs || certs->size() != 1)
    return state_error(path + " does not hold one certificate");
  return std::move(certs->front());
}

std::string tcb_hex(const TcbParts& tcb, Product product) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(encode_tcb(tcb, product)));
  return buf;
}

// productName in the VCEK: Milan certificates carry the stepping ("Milan-B0"), later ones do not.
std::string vcek_product_name(Product p) {
  return p == Product::kMilan ? "Milan-B0" : std::string(product_name(p));
}

struct Cpuid {
  std::uint8_t family, model, stepping;
};
Cpuid cpuid_of(Product p) {
  switch (p) {
    case Product::kGenoa:
      return {0x19, 0x11, 0x01};
    case Product::kTurin:
      return {0x1A, 0x02, 0x00};
    default:
      return {0x19, 0x01, 0x01};
  }
}

Status check_settings(const SimSettings& s) {
  if (s.product == Product::kUnknown)
    return state_error("the simulated product must be Milan, Genoa or Turin");
  if (s.version != 2 && s.version != 3 && s.version != 5) {
    return state_error("simulated report version " + std::to_string(s.version) + " is not one of 2, 3, 5");
  }
  if ((s.product == Product::kTurin) != s.tcb.fmc.has_value()) {
    return state_error(s.product == Product::kTurin ? "a Turin TCB needs an FMC SPL"
                                                    : "only Turin's TCB has an FMC SPL");
  }
  if (s.guest_vmpl > 3)
    return state_error("guest VMPL must be 0..3");
  return ok_status();
}

// An RSA-4096 root key already placed in the state directory (an operator's own, or a test's fixed
// key), else a new one.
Result<EvpPkeyPtr> existing_or_new_root_key(const std::string& path) {
  if (fs::exists(path))
    return load_key(path);
  return generate_rsa4096();
}

Status create_state(const std::string& dir, Product product) {
  auto ark_key = existing_or_new_root_key(dir + "/ark.key");
  if (!ark_key)
    return ark_key.error();
  auto ask_key = existing_or_new_root_key(dir + "/ask.key");
  if (!ask_key)
    return ask_key.error();
  const std::string name(product_name(product));
  auto ark = mint_cert({"ARK-" + name,
                        nullptr,
                        ark_key->get(),
                        ark_key->get(),
                        0x1000,
                        kRootNotBefore,
                        kRootNotAfter,
                        true,
                        {}});
  if (!ark)
    return ark.error();
  auto ask = mint_cert({"SEV-" + name,
                        ark->get(),
                        ark_key->get(),
                        ask_key->get(),
                        0x1001,
                        kRootNotBefore,
                        kRootNotAfter,
                        true,
                        {}});
  if (!ask)
    return ask.error();
  auto chip = random_or_abort<64>();
  if (product == Product::kTurin)
    std::fill(chip.begin() + 8, chip.end(), std::uint8_t{0});
  const auto secret = random_or_abort<32>();
  for (const auto& [file, text] : std::vector<std::pair<std::string, Result<std::string>>>{
           {"ark.key", private_key_pem(ark_key->get())},
           {"ask.key", private_key_pem(ask_key->get())},
           {"ark.pem", cert_pem(**ark)},
           {"ask.pem", cert_pem(**ask)},
           {"chip_id", to_hex(chip)},
           {"root_secret", to_hex(secret)},
           {"report_id", to_hex(random_or_abort<32>())},
       }) {
    if (!text)
      return text.error();
    if (Status st = write_private(dir + "/" + file, *text); !st)
      return st;
  }
  return write_private(dir + "/product", name);  // written last: marks the state complete
}

void append_u32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void append_u64(Bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

TcbParts SimSettings::default_tcb(Product product) {
  TcbParts t;
  t.bootloader = 3;
  t.tee = 0;
  t.snp = 8;
  t.microcode = 115;
  if (product == Product::kTurin)
    t.fmc = 0;
  return t;
}

std::array<std::uint8_t, 48> SimSettings::default_measurement() {
  static constexpr std::string_view kLabel = "snprelay simulated guest";
  std::array<std::uint8_t, 48> out{};
  SHA384(reinterpret_cast<const unsigned char*>(kLabel.data()), kLabel.size(), out.data());
  return out;
}

Result<std::shared_ptr<SimFirmware>> SimFirmware::open(const std::string& state_dir, SimSettings settings) {
  if (Status st = check_settings(settings); !st)
    return st.error();
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec || ::chmod(state_dir.c_str(), 0700) != 0) {
    return state_error("cannot create the simulated firmware's state directory " + state_dir);
  }
  const std::string product_file = state_dir + "/product";
  if (!fs::exists(product_file)) {
    if (Status st = create_state(state_dir, settings.product); !st)
      return st.error();
  }
  auto stored = read_text(product_file);
  if (!stored)
    return stored.error();
  if (*stored != product_name(settings.product)) {
    return state_error(state_dir + " holds a simulated " + *stored + " chain, not " +
                       std::string(product_name(settings.product)) + "; use another --sim-state directory");
  }
  // A firmware launched with an image (sim_launch.hpp) reports that image's measurement, unless the
  // settings ask for another one.
  auto launched = read_launched_image(state_dir);
  if (!launched)
    return launched.error();
  if (*launched && settings.measurement == SimSettings::default_measurement())
    settings.measurement = (*launched)->measurement;
  std::shared_ptr<SimFirmware> fw(new SimFirmware());
  fw->dir_ = state_dir;
  fw->settings_ = settings;
  auto ark_key = load_key(state_dir + "/ark.key");
  auto ask_key = load_key(state_dir + "/ask.key");
  auto ark = load_cert(state_dir + "/ark.pem");
  auto ask = load_cert(state_dir + "/ask.pem");
  auto chip = read_hex_array<64>(state_dir + "/chip_id");
  auto secret = read_hex_array<32>(state_dir + "/root_secret");
  auto report_id = read_hex_array<32>(state_dir + "/report_id");
  for (const Error* e :
       {ark_key ? nullptr : &ark_key.error(), ask_key ? nullptr : &ask_key.error(),
        ark ? nullptr : &ark.error(), ask ? nullptr : &ask.error(), chip ? nullptr : &chip.error(),
        secret ? nullptr : &secret.error(), report_id ? nullptr : &report_id.error()}) {
    if (e != nullptr)
      return *e;
  }
  fw->ark_key_ = std::move(ark_key).value();
  fw->ask_key_ = std::move(ask_key).value();
  fw->ark_ = std::move(ark).value();
  fw->ask_ = std::move(ask).value();
  fw->chip_id_ = *chip;
  fw->report_id_ = *report_id;
  fw->root_secret_ = SecretBytes(*secret);
  return fw;
}

namespace {

// SHA-512 or SHA-256 of "snprelay/sim-chip/v1/<what>" || value || u32be(index): a chip's identity derived
// from its root's, so that re-creating a validator's chip gives the same CHIP_ID (its chain binding).
template <std::size_t N>
std::array<std::uint8_t, N> derive_chip_value(std::string_view what, std::span<const std::uint8_t> value,
                                              std::uint32_t index) {
  static_assert(N == 64 || N == 32);
  Bytes in;
  const std::string tag = "snprelay/sim-chip/v1/" + std::string(what);
  in.insert(in.end(), tag.begin(), tag.end());
  in.insert(in.end(), value.begin(), value.end());
  for (int shift = 24; shift >= 0; shift -= 8)
    in.push_back(static_cast<std::uint8_t>(index >> shift));
  std::array<std::uint8_t, N> out{};
  if constexpr (N == 64)
    SHA512(in.data(), in.size(), out.data());
  else
    SHA256(in.data(), in.size(), out.data());
  return out;
}

}  // namespace

Status SimFirmware::create_chip(const std::string& root_dir, std::uint32_t index,
                                const std::string& chip_dir) {
  auto product = read_text(root_dir + "/product");
  auto chip = read_hex_array<64>(root_dir + "/chip_id");
  auto secret = read_hex_array<32>(root_dir + "/root_secret");
  auto report_id = read_hex_array<32>(root_dir + "/report_id");
  for (const Error* e : {product ? nullptr : &product.error(), chip ? nullptr : &chip.error(),
                         secret ? nullptr : &secret.error(), report_id ? nullptr : &report_id.error()}) {
    if (e != nullptr)
      return state_error("the simulated root " + root_dir + " is not a complete state (" + e->message + ")");
  }
  auto chip_id = derive_chip_value<64>("chip_id", *chip, index);
  if (*product == product_name(Product::kTurin))
    std::fill(chip_id.begin() + 8, chip_id.end(), std::uint8_t{0});  // Turin's CHIP_ID is 8 bytes
  // "product" last: it marks the state complete (as in create_state).
  std::vector<std::pair<std::string, std::string>> files;
  for (const char* name : {"ark.key", "ask.key", "ark.pem", "ask.pem"}) {
    auto bytes = read_file(root_dir + "/" + name);
    if (!bytes)
      return state_error(bytes.error().message);
    files.emplace_back(name, std::string(bytes->begin(), bytes->end()));
  }
  files.emplace_back("chip_id", to_hex(chip_id));
  files.emplace_back("root_secret", to_hex(derive_chip_value<32>("root_secret", *secret, index)));
  files.emplace_back("report_id", to_hex(derive_chip_value<32>("report_id", *report_id, index)));
  files.emplace_back("product", *product);

  std::error_code ec;
  fs::create_directories(chip_dir, ec);
  if (ec || ::chmod(chip_dir.c_str(), 0700) != 0)
    return state_error("cannot create the simulated chip's state directory " + chip_dir);
  // The image the root firmware was launched with is the chip's too, and follows a re-launch of the root:
  // it is part of the guest, not of the chip's identity.
  const std::string launched = root_dir + "/launched_image";
  if (fs::exists(launched)) {
    auto bytes = read_file(launched);
    if (!bytes)
      return state_error(bytes.error().message);
    if (Status st = write_private(chip_dir + "/launched_image", std::string(bytes->begin(), bytes->end()));
        !st)
      return st;
  } else {
    fs::remove(chip_dir + "/launched_image", ec);
  }
  if (fs::exists(chip_dir + "/product")) {
    // Already made: it must be this very chip, never silently another one.
    for (const auto& [name, text] : files) {
      auto have = read_text(chip_dir + "/" + name);
      std::string want = text;
      while (!want.empty() && (want.back() == '\n' || want.back() == ' '))
        want.pop_back();
      if (!have || *have != want)
        return state_error(chip_dir + "/" + name + " is not that of simulated chip " + std::to_string(index) +
                           " of " + root_dir + "; use another directory");
    }
    return ok_status();
  }
  for (const auto& [name, text] : files) {
    if (Status st = write_private(chip_dir + "/" + name, text); !st)
      return st;
  }
  return ok_status();
}

Result<EvpPkeyPtr> SimFirmware::vcek_key(const TcbParts& tcb) {
  const std::string path = dir_ + "/vcek-" + tcb_hex(tcb, settings_.product) + ".key";
  if (fs::exists(path))
    return load_key(path);
  auto key = generate_p384();
  if (!key)
    return key.error();
  auto pem = private_key_pem(key->get());
  if (!pem)
    return pem.error();
  if (Status st = write_private(path, *pem); !st)
    return st.error();
  return key;
}

Result<X509Ptr> SimFirmware::vcek_cert(const TcbParts& tcb, EVP_PKEY* key) const {
  const std::string path = dir_ + "/vcek-" + tcb_hex(tcb, settings_.product) + ".pem";
  if (fs::exists(path))
    return load_cert(path);
  VekSpec spec;
  spec.struct_version = settings_.product == Product::kTurin ? 1 : 0;
  spec.product_name = vcek_product_name(settings_.product);
  spec.bl = tcb.bootloader;
  spec.tee = tcb.tee;
  spec.snp = tcb.snp;
  spec.ucode = tcb.microcode;
  spec.fmc = tcb.fmc;
  spec.hw_id.assign(chip_id_.begin(), chip_id_.begin() + (settings_.product == Product::kTurin ? 8 : 64));
  const std::time_t now = std::time(nullptr);
  auto cert = mint_cert({"SEV-VCEK", ask_.get(), ask_key_.get(), key, 0, now - 3600, now + kSevenYears, false,
                         vek_extensions(spec)});
  if (!cert)
    return cert.error();
  auto pem = cert_pem(**cert);
  if (!pem)
    return pem.error();
  if (Status st = write_private(path, *pem); !st)
    return st.error();
  return cert;
}

Result<const SimFirmware::Vcek*> SimFirmware::vcek(const TcbParts& tcb) {
  const std::string id = tcb_hex(tcb, settings_.product);
  if (const auto it = vceks_.find(id); it != vceks_.end())
    return &it->second;
  auto key = vcek_key(tcb);
  if (!key)
    return key.error();
  auto cert = vcek_cert(tcb, key->get());
  if (!cert)
    return cert.error();
  return &vceks_.emplace(id, Vcek{std::move(*key), cert_der(**cert)}).first->second;
}

Result<Bytes> SimFirmware::vcek_der(const TcbParts& tcb) {
  std::lock_guard lock(mutex_);
  auto v = vcek(tcb);
  if (!v)
    return v.error();
  return (*v)->der;
}

std::string SimFirmware::chain_pem() const {
  auto ask = cert_pem(*ask_);
  auto ark = cert_pem(*ark_);
  return (ask ? *ask : std::string()) + (ark ? *ark : std::string());
}

Result<Bytes> SimFirmware::crl_der() const {
  const std::time_t now = std::time(nullptr);
  auto crl = mint_crl(*ark_, ark_key_.get(), {}, now - 3600, now + std::time_t{7} * 24 * 3600);
  if (!crl)
    return crl.error();
  const int len = i2d_X509_CRL(crl->get(), nullptr);
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_X509_CRL(crl->get(), &p);
  return out;
}

Result<Bytes> SimFirmware::report(std::span<const std::uint8_t, 64> report_data, std::uint32_t vmpl) {
  if (vmpl < settings_.guest_vmpl || vmpl > 3) {
    return firmware_refusal("0x16 (INVALID_PARAM)", "VMPL " + std::to_string(vmpl) +
                                                        " is below the guest's VMPL " +
                                                        std::to_string(settings_.guest_vmpl) + " or above 3");
  }
  std::lock_guard lock(mutex_);
  const SimSettings& s = settings_;
  const std::uint64_t tcb = encode_tcb(s.tcb, s.product);
  Report r;
  r.version = s.version;
  r.guest_svn = s.guest_svn;
  r.policy = s.policy;
  r.family_id = s.family_id;
  r.image_id = s.image_id;
  r.vmpl = vmpl;
  r.signature_algo = 1;
  r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = tcb;
  r.platform_info = 0x1;  // SMT enabled
  std::copy(report_data.begin(), report_data.end(), r.report_data.begin());
  r.measurement = s.measurement;
  r.host_data = s.host_data;
  r.report_id = report_id_;
  r.report_id_ma.fill(0xFF);
  if (s.version >= 3) {
    const Cpuid c = cpuid_of(s.product);
    r.cpuid_fam_id = c.family;
    r.cpuid_mod_id = c.model;
    r.cpuid_step = c.stepping;
  }
  r.chip_id = chip_id_;
  r.current_major = r.committed_major = 1;
  r.current_minor = r.committed_minor = 55;
  r.current_build = r.committed_build = 21;
  auto raw = serialize_report(r);
  auto v = vcek(s.tcb);
  if (!v)
    return v.error();
  if (Status st = sign_report(raw, (*v)->key.get()); !st)
    return st.error();
  return Bytes(raw.begin(), raw.end());
}

Result<SecretBytes> SimFirmware::derive_key(const DerivedKeyRequest& request) const {
  const SimSettings& s = settings_;
  if (request.vmpl < s.guest_vmpl || request.vmpl > 3) {
    return firmware_refusal("0x16 (INVALID_PARAM)",
                            "VMPL " + std::to_string(request.vmpl) + " is not permitted");
  }
  if ((request.field_select & ~std::uint64_t{0x3f}) != 0) {
    return firmware_refusal("0x16 (INVALID_PARAM)", "GUEST_FIELD_SELECT has reserved bits set");
  }
  if (request.root == RootKey::kVmrk && ((s.policy >> 18) & 1) == 0) {
    return firmware_refusal("0x27 (INVALID_KEY)", "no VMRK: the guest policy allows no migration agent");
  }
  if (request.guest_svn > s.guest_svn) {
    return firmware_refusal("0x16 (INVALID_PARAM)", "GUEST_SVN " + std::to_string(request.guest_svn) +
                                                        " exceeds the launch GUEST_SVN " +
                                                        std::to_string(s.guest_svn));
  }
  if (!tcb_le(decode_tcb(request.tcb_version, s.product), s.tcb)) {
    return firmware_refusal("0x16 (INVALID_PARAM)", "TCB_VERSION exceeds the committed TCB");
  }
  // The transcript: every input the firmware mixes in, in MSG_KEY_REQ order.
  Bytes info;
  append_u32(info, static_cast<std::uint32_t>(request.root));
  append_u32(info, request.vmpl);
  append_u64(info, request.field_select);
  if ((request.field_select & kFieldPolicy) != 0)
    append_u64(info, s.policy);
  if ((request.field_select & kFieldImageId) != 0)
    info.insert(info.end(), s.image_id.begin(), s.image_id.end());
  if ((request.field_select & kFieldFamilyId) != 0)
    info.insert(info.end(), s.family_id.begin(), s.family_id.end());
  if ((request.field_select & kFieldMeasurement) != 0) {
    info.insert(info.end(), s.measurement.begin(), s.measurement.end());
  }
  if ((request.field_select & kFieldGuestSvn) != 0)
    append_u32(info, request.guest_svn);
  if ((request.field_select & kFieldTcbVersion) != 0)
    append_u64(info, request.tcb_version);

  static constexpr std::string_view kSalt = "snprelay/sim/derived-key/v1";
  auto key =
      hkdf_sha256(root_secret_.view(),
                  std::span(reinterpret_cast<const std::uint8_t*>(kSalt.data()), kSalt.size()), info, 32);
  if (!key)
    return make_error("attest", "FIRMWARE_ERROR", "simulated firmware: " + key.error().message);
  return key;
}

namespace {

class SimulatedSource final : public EvidenceSource {
 public:
  explicit SimulatedSource(std::shared_ptr<SimFirmware> fw) : fw_(std::move(fw)) {}

  Result<Evidence> get_report(std::span<const std::uint8_t, 64> report_data, std::uint32_t vmpl) override {
    auto report = fw_->report(report_data, vmpl);
    if (!report)
      return report.error();
    auto vcek = fw_->vcek_der(fw_->settings().tcb);
    if (!vcek)
      return vcek.error();
    Evidence ev{std::move(report).value(), {}, true};
    ev.certs.push_back({guid_of(CertKind::kVcek), CertKind::kVcek, std::move(vcek).value()});
    ev.certs.push_back({guid_of(CertKind::kAsk), CertKind::kAsk, cert_der(fw_->ask())});
    ev.certs.push_back({guid_of(CertKind::kArk), CertKind::kArk, cert_der(fw_->ark())});
    return ev;
  }
  Result<SecretBytes> derive_key(const DerivedKeyRequest& request) override {
    return fw_->derive_key(request);
  }
  SourceInfo describe() const override { return {"simulated", fw_->state_dir(), true}; }

 private:
  std::shared_ptr<SimFirmware> fw_;
};

class SimKdsStore final : public KdsStore {
 public:
  explicit SimKdsStore(std::shared_ptr<SimFirmware> fw) : fw_(std::move(fw)) {}

  Result<Bytes> serve(const KdsRequest& request) override {
    const Product product = fw_->settings().product;
    if (request.product != product || request.signer != KdsSigner::kVcek) {
      return make_error(
          "attest", "NOT_FOUND",
          "the simulated firmware serves only " + std::string(product_name(product)) + " VCEK paths",
          ErrorKind::kInput);
    }
    switch (request.kind) {
      case KdsRequest::Kind::kChain: {
        const std::string pem = fw_->chain_pem();
        return Bytes(pem.begin(), pem.end());
      }
      case KdsRequest::Kind::kCrl:
        return fw_->crl_der();
      case KdsRequest::Kind::kVcek: {
        const auto& chip = fw_->chip_id();
        if (!std::equal(request.hwid.begin(), request.hwid.end(), chip.begin())) {
          return make_error("attest", "NOT_FOUND", "unknown hwID " + to_hex(request.hwid), ErrorKind::kInput);
        }
        return fw_->vcek_der(request.tcb);
      }
    }
    return make_error("attest", "NOT_FOUND", "unknown resource", ErrorKind::kInput);
  }

 private:
  std::shared_ptr<SimFirmware> fw_;
};

}  // namespace

std::unique_ptr<EvidenceSource> make_simulated_source(std::shared_ptr<SimFirmware> firmware) {
  return std::make_unique<SimulatedSource>(std::move(firmware));
}

std::shared_ptr<KdsStore> make_sim_kds_store(std::shared_ptr<SimFirmware> firmware) {
  return std::make_shared<SimKdsStore>(std::move(firmware));
}

}  // namespace snprelay::attest
