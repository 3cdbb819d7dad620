// The report checks of DESIGN.md §4 in order, collected into a Verdict.
#include "attest/verify.hpp"

#include <openssl/ecdsa.h>
#include <openssl/sha.h>

#include <algorithm>
#include <string>

#include "attest/chain.hpp"
#include "attest/report_bits.hpp"

namespace snprelay::attest {

struct Verifier::Impl {
  std::unique_ptr<ChainVerifier> chains;
};

namespace {

// The order n of NIST P-384, big-endian.
constexpr std::uint8_t kP384Order[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};

template <std::size_t N>
bool all_zero(const ByteArray<N>& a) {
  return std::all_of(a.begin(), a.end(), [](std::uint8_t b) { return b == 0; });
}

std::string hex_u64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hex_off(std::size_t v) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "0x%03zx", v);
  return buf;
}

std::string list_u32(const std::vector<std::uint32_t>& v) {
  std::string out;
  for (auto x : v)
    out += (out.empty() ? "" : ", ") + std::to_string(x);
  return out;
}

// Checks one little-endian 72-byte component: upper 24 bytes zero, 0 < value < n.
std::string component_problem(const ByteArray<72>& le, const char* name) {
  if (!std::all_of(le.begin() + 48, le.end(), [](std::uint8_t b) { return b == 0; }))
    return std::string(name) + " has non-zero bytes in its upper 24 (of 72) bytes";
  std::uint8_t be[48] = {};
  std::reverse_copy(le.begin(), le.begin() + 48, be);
  if (std::all_of(be, be + 48, [](std::uint8_t b) { return b == 0; }))
    return std::string(name) + " is zero";
  if (!std::lexicographical_compare(be, be + 48, kP384Order, kP384Order + 48))
    return std::string(name) + " is not below the P-384 group order";
  return {};
}

class Checker {
 public:
  Checker(const Report& r, const VerifyOptions& o, Verdict& v) : r_(r), o_(o), v_(v) {}

  void fail(FailureCode code, std::string message) {
    v_.failures.push_back(Failure{code, std::move(message)});
  }

  void header(std::span<const std::uint8_t> raw) {
    bool accepted = false;
    for (const std::uint32_t v : o_.accepted_versions)
      accepted = accepted || v == r_.version;
    if (!accepted) {
      fail(FailureCode::kVersionUnsupported,
           "VERSION is " + std::to_string(r_.version) + ", accepted: " + list_u32(o_.accepted_versions));
    }
    if (r_.signature_algo != 1) {
      fail(FailureCode::kSignatureAlgoUnsupported, "SIGNATURE_ALGO is " + std::to_string(r_.signature_algo) +
                                                       ", expected 1 (ECDSA P-384 with SHA-384)");
    }
    for (const auto& range : nonzero_reserved(raw)) {
      fail(FailureCode::kReservedNonzero, "reserved bytes " + hex_off(range.offset) + ".." +
                                              hex_off(range.offset + range.length - 1) +
                                              " must be zero; byte " + hex_off(range.first_nonzero) +
                                              " is 0x" + to_hex(raw.subspan(range.first_nonzero, 1)));
    }
    const GuestPolicy p = decode_policy(r_.policy);
    if (p.reserved != 0)
      fail(FailureCode::kReservedNonzero, "POLICY bits 63:26 must be zero, POLICY is " + hex_u64(r_.policy));
    const PlatformInfo pi = decode_platform_info(r_.platform_info);
    if (pi.reserved != 0) {
      fail(FailureCode::kReservedNonzero,
           "PLATFORM_INFO bit 6 and bits 63:8 must be zero, PLATFORM_INFO is " + hex_u64(r_.platform_info));
    }
    const KeyInfo k = decode_key_info(r_.key_info);
    if (k.reserved != 0)
      fail(FailureCode::kReservedNonzero,
           "KEY_INFO bits 31:5 must be zero, KEY_INFO is " + hex_u64(r_.key_info));
    for (const auto& problem : {component_problem(r_.signature_r, "signature R"),
                                component_problem(r_.signature_s, "signature S")}) {
      if (!problem.empty()) {
        fail(FailureCode::kSignatureEncoding, problem);
        signature_encoding_ok_ = false;
      }
    }
  }

  void binding() {
    if (o_.report_data && *o_.report_data != r_.report_data) {
      fail(FailureCode::kReportDataMismatch,
           "REPORT_DATA is " + to_hex(r_.report_data) + ", expected " + to_hex(*o_.report_data));
    }
    const bool in_set =
        o_.vmpls.empty() || std::find(o_.vmpls.begin(), o_.vmpls.end(), r_.vmpl) != o_.vmpls.end();
    if (r_.vmpl > 3 || !in_set) {
      fail(FailureCode::kVmplNotAllowed, "VMPL is " + std::to_string(r_.vmpl) + ", accepted: " +
                                             (o_.vmpls.empty() ? "0..3" : list_u32(o_.vmpls)));
    }
  }

  void policy() {
    const GuestPolicy p = decode_policy(r_.policy);
    const GuestPolicyOptions& g = o_.guest_policy;
    const std::string pol = " (POLICY " + hex_u64(r_.policy) + ")";
    if (p.debug && !g.allow_debug)
      fail(FailureCode::kDebugPolicy, "POLICY.DEBUG (bit 19) is set and debug guests are not allowed" + pol);
    if (!p.reserved_must_be_one)
      fail(FailureCode::kPolicyViolation, "POLICY bit 17 must be 1, is 0" + pol);
    auto deny = [&](bool set, bool allowed, const char* what) {
      if (set && !allowed)
        fail(FailureCode::kPolicyViolation, std::string("POLICY.") + what + " is set and not allowed" + pol);
    };
    auto need = [&](bool set, bool required, const char* what) {
      if (!set && required)
        fail(FailureCode::kPolicyViolation, std::string("POLICY.") + what + " is required and not set" + pol);
    };
    deny(p.migrate_ma, g.allow_migrate_ma, "MIGRATE_MA (bit 18)");
    deny(p.smt, g.allow_smt, "SMT (bit 16)");
    deny(p.cxl_allow, g.allow_cxl, "CXL_ALLOW (bit 21)");
    need(p.single_socket, g.require_single_socket, "SINGLE_SOCKET (bit 20)");
    need(p.mem_aes_256_xts, g.require_mem_aes_256_xts, "MEM_AES_256_XTS (bit 22)");
    need(p.rapl_dis, g.require_rapl_dis, "RAPL_DIS (bit 23)");
    need(p.ciphertext_hiding, g.require_ciphertext_hiding, "CIPHERTEXT_HIDING (bit 24)");
    need(p.page_swap_disable, g.require_page_swap_disable, "PAGE_SWAP_DISABLE (bit 25)");
    if (p.abi_major * 256 + p.abi_minor < g.min_abi_major * 256 + g.min_abi_minor) {
      fail(FailureCode::kPolicyViolation,
           "POLICY ABI is " + std::to_string(p.abi_major) + "." + std::to_string(p.abi_minor) + ", minimum " +
               std::to_string(g.min_abi_major) + "." + std::to_string(g.min_abi_minor));
    }
    if (o_.platform_info) {
      const PlatformInfo pi = decode_platform_info(r_.platform_info);
      const PlatformInfoOptions& q = *o_.platform_info;
      const std::string info = " (PLATFORM_INFO " + hex_u64(r_.platform_info) + ")";
      auto pdeny = [&](bool set, bool allowed, const char* what) {
        if (set && !allowed)
          fail(FailureCode::kPolicyViolation,
               std::string("PLATFORM_INFO.") + what + " is set and not allowed" + info);
      };
      auto pneed = [&](bool set, bool required, const char* what) {
        if (!set && required)
          fail(FailureCode::kPolicyViolation,
               std::string("PLATFORM_INFO.") + what + " is required and not set" + info);
      };
      pdeny(pi.smt_en, q.allow_smt, "SMT_EN");
      pdeny(pi.tsme_en, q.allow_tsme, "TSME_EN");
      pdeny(pi.tio_en, q.allow_tio, "TIO_EN");
      pneed(pi.ecc_en, q.require_ecc, "ECC_EN");
      pneed(pi.rapl_dis, q.require_rapl_dis, "RAPL_DIS");
      pneed(pi.ciphertext_hiding_en, q.require_ciphertext_hiding, "CIPHERTEXT_HIDING_EN");
      pneed(pi.alias_check_complete, q.require_alias_check, "ALIAS_CHECK_COMPLETE");
    }
    if (r_.guest_svn < o_.minimum_guest_svn) {
      fail(FailureCode::kPolicyViolation, "GUEST_SVN is " + std::to_string(r_.guest_svn) + ", minimum " +
                                              std::to_string(o_.minimum_guest_svn));
    }
    exact("HOST_DATA", o_.host_data, r_.host_data);
    exact("IMAGE_ID", o_.image_id, r_.image_id);
    exact("FAMILY_ID", o_.family_id, r_.family_id);
    exact("REPORT_ID", o_.report_id, r_.report_id);
    exact("REPORT_ID_MA", o_.report_id_ma, r_.report_id_ma);
    exact("CHIP_ID", o_.chip_id, r_.chip_id);
    if ((r_.policy & o_.policy_mask) != o_.policy_value) {
      fail(FailureCode::kPolicyViolation,
           "POLICY " + hex_u64(r_.policy) + " & policy_mask " + hex_u64(o_.policy_mask) + " is " +
               hex_u64(r_.policy & o_.policy_mask) + ", expected policy_value " + hex_u64(o_.policy_value));
    }
    id_block();
    if ((r_.launch_mit_vector & o_.minimum_launch_mit_vector) != o_.minimum_launch_mit_vector) {
      fail(FailureCode::kPolicyViolation, "LAUNCH_MIT_VECTOR is " + hex_u64(r_.launch_mit_vector) +
                                              ", must contain " + hex_u64(o_.minimum_launch_mit_vector));
    }
    if ((r_.current_mit_vector & o_.minimum_current_mit_vector) != o_.minimum_current_mit_vector) {
      fail(FailureCode::kPolicyViolation, "CURRENT_MIT_VECTOR is " + hex_u64(r_.current_mit_vector) +
                                              ", must contain " + hex_u64(o_.minimum_current_mit_vector));
    }
  }

  void signer() {
    const KeyInfo k = decode_key_info(r_.key_info);
    if (k.signing_key == 7) {
      fail(FailureCode::kSignerNotAllowed, "KEY_INFO.SIGNING_KEY is 7 (report not signed)");
    } else if (k.signing_key > 1) {
      fail(FailureCode::kSignerNotAllowed,
           "KEY_INFO.SIGNING_KEY is " + std::to_string(k.signing_key) + " (reserved)");
    } else if (k.signing_key == 1 && !o_.allow_vlek) {
      fail(FailureCode::kSignerNotAllowed,
           "KEY_INFO.SIGNING_KEY is 1 (VLEK) and VLEK-signed reports are not allowed");
    }
    if (k.signing_key == 0 && k.mask_chip_key)
      fail(FailureCode::kSignerNotAllowed, "KEY_INFO says VCEK-signed but MASK_CHIP_KEY is set");
    if (all_zero(r_.chip_id) && !o_.allow_chip_id_masked)
      fail(FailureCode::kChipIdMasked,
           "CHIP_ID is all zero (MASK_CHIP_ID) and masked chip IDs are not allowed");
  }

  void measurement() {
    if (o_.measurements.empty())
      return;
    if (std::find(o_.measurements.begin(), o_.measurements.end(), r_.measurement) == o_.measurements.end()) {
      std::string allowed;
      for (const auto& m : o_.measurements)
        allowed += (allowed.empty() ? "" : ", ") + to_hex(m);
      fail(FailureCode::kMeasurementNotAllowed,
           "MEASUREMENT is " + to_hex(r_.measurement) + ", allowed: " + allowed);
    }
  }

  // Binds the chain to the report: signer type, products, hwID, TCB.
  void binding_to_chain(const VerifiedChain& c) {
    const KeyInfo k = decode_key_info(r_.key_info);
    if (k.signing_key <= 1 && (k.signing_key == 1) != c.vlek) {
      fail(FailureCode::kSignerNotAllowed, std::string("KEY_INFO.SIGNING_KEY says ") +
                                               (k.signing_key == 1 ? "VLEK" : "VCEK") +
                                               " but the certificate is a " + (c.vlek ? "VLEK" : "VCEK"));
    }
    if (c.vlek && !o_.allow_vlek && k.signing_key != 1)
      fail(FailureCode::kSignerNotAllowed,
           "the certificate is a VLEK and VLEK-signed reports are not allowed");
    const Product chain_p = c.product;
    if (r_.has_cpuid()) {
      const Product cpu_p = product_from_cpuid(r_.cpuid_fam_id, r_.cpuid_mod_id);
      if (cpu_p != chain_p) {
        fail(FailureCode::kProductMismatch,
             "report CPUID family/model 0x" + to_hex(std::span(&r_.cpuid_fam_id, 1)) + "/0x" +
                 to_hex(std::span(&r_.cpuid_mod_id, 1)) + " is " + std::string(product_name(cpu_p)) +
                 ", certificate chain is " + std::string(product_name(chain_p)));
      }
    } else if (chain_p == Product::kTurin) {
      fail(FailureCode::kVersionUnsupported,
           "VERSION 2 report signed by a Turin key (Turin reports are v3+)");
    } else if (c.ext.product_name == product_name(chain_p)) {
      // A v2 report has no CPUID: its product and stepping come only from the VEK's productName, and
      // go-sev-guest (the chain's verifier) refuses a bare product name such as AMD's current "Genoa".
      // The stricter rule applies here too (tests/data/agreement/README.md).
      fail(FailureCode::kVersionUnsupported, "VERSION 2 report and the VEK productName '" +
                                                 c.ext.product_name +
                                                 "' names no stepping: the product cannot be established");
    }
    if (o_.product && *o_.product != chain_p) {
      fail(FailureCode::kProductMismatch, "certificate chain is " + std::string(product_name(chain_p)) +
                                              ", expected product " + std::string(product_name(*o_.product)));
    }
    const std::string& pn = c.ext.product_name;
    if (pn.substr(0, pn.find('-')) != product_name(chain_p)) {  // exact, as the chain compares it
      fail(FailureCode::kProductMismatch,
           "VEK productName is '" + pn + "', chain is " + std::string(product_name(chain_p)));
    }
    const std::int64_t want_sv = chain_p == Product::kTurin ? 1 : 0;
    if (c.ext.struct_version != want_sv) {
      fail(FailureCode::kProductMismatch, "VEK structVersion is " + std::to_string(c.ext.struct_version) +
                                              ", " + std::string(product_name(chain_p)) + " uses " +
                                              std::to_string(want_sv));
    }
    if (!c.vlek) {
      if (!c.ext.hw_id) {
        fail(FailureCode::kVcekChipMismatch, "VCEK has no hwID extension");
      } else if (!all_zero(r_.chip_id)) {
        const Bytes& hw = *c.ext.hw_id;
        const bool turin = chain_p == Product::kTurin;
        const std::size_t n = turin ? 8 : 64;
        const bool match = hw.size() == n && std::equal(hw.begin(), hw.end(), r_.chip_id.begin()) &&
                           (!turin || std::all_of(r_.chip_id.begin() + 8, r_.chip_id.end(),
                                                  [](std::uint8_t b) { return b == 0; }));
        if (!match) {
          fail(FailureCode::kVcekChipMismatch,
               "VCEK hwID is " + to_hex(hw) + ", report CHIP_ID is " + to_hex(r_.chip_id));
        }
      }
    }
    const std::uint64_t cert_tcb = vek_tcb(c.ext);
    if (cert_tcb != r_.reported_tcb) {
      fail(FailureCode::kVcekTcbMismatch, "VEK TCB is " + describe_tcb(cert_tcb, chain_p) +
                                              ", REPORTED_TCB is " + describe_tcb(r_.reported_tcb, chain_p));
    }
    if (!tcb_le(decode_tcb(cert_tcb, chain_p), decode_tcb(r_.current_tcb, chain_p))) {
      fail(FailureCode::kVcekTcbMismatch, "VEK TCB " + describe_tcb(cert_tcb, chain_p) +
                                              " exceeds CURRENT_TCB " +
                                              describe_tcb(r_.current_tcb, chain_p));
    }
  }

  void tcb(Product product) {
    auto minimum = [&](const char* what, std::uint64_t raw, const std::optional<MinTcb>& min) {
      if (min && !tcb_meets(decode_tcb(raw, product), *min)) {
        fail(FailureCode::kTcbBelowMinimum,
             std::string(what) + " is " + describe_tcb(raw, product) + ", minimum " + describe_min_tcb(*min));
      }
    };
    minimum("REPORTED_TCB", r_.reported_tcb, o_.minimum_tcb);
    minimum("LAUNCH_TCB", r_.launch_tcb, o_.minimum_launch_tcb);
    if (r_.current_build < o_.minimum_build) {
      fail(FailureCode::kTcbBelowMinimum, "CURRENT_BUILD is " + std::to_string(r_.current_build) +
                                              ", minimum " + std::to_string(o_.minimum_build));
    }
    if (o_.minimum_version && r_.current_major * 256 + r_.current_minor <
                                  o_.minimum_version->major * 256 + o_.minimum_version->minor) {
      fail(FailureCode::kTcbBelowMinimum, "firmware version is " + std::to_string(r_.current_major) + "." +
                                              std::to_string(r_.current_minor) + ", minimum " +
                                              std::to_string(o_.minimum_version->major) + "." +
                                              std::to_string(o_.minimum_version->minor));
    }
    const bool same_fw = r_.committed_build == r_.current_build && r_.committed_minor == r_.current_minor &&
                         r_.committed_major == r_.current_major;
    if (o_.permit_provisional_firmware) {
      if (!tcb_le(decode_tcb(r_.committed_tcb, product), decode_tcb(r_.current_tcb, product))) {
        fail(FailureCode::kPolicyViolation, "COMMITTED_TCB " + describe_tcb(r_.committed_tcb, product) +
                                                " exceeds CURRENT_TCB " +
                                                describe_tcb(r_.current_tcb, product));
      }
      // As go-sev-guest: provisional firmware may be newer than the committed one, never older.
      if (r_.committed_build > r_.current_build) {
        fail(FailureCode::kPolicyViolation, "committed firmware build " + std::to_string(r_.committed_build) +
                                                " exceeds the current build " +
                                                std::to_string(r_.current_build));
      }
      if (r_.committed_major * 256 + r_.committed_minor > r_.current_major * 256 + r_.current_minor) {
        fail(FailureCode::kPolicyViolation,
             "committed firmware version " + std::to_string(r_.committed_major) + "." +
                 std::to_string(r_.committed_minor) + " exceeds the current version " +
                 std::to_string(r_.current_major) + "." + std::to_string(r_.current_minor));
      }
    } else if (r_.committed_tcb != r_.current_tcb || !same_fw) {
      fail(FailureCode::kPolicyViolation,
           "provisional firmware: COMMITTED_TCB " + describe_tcb(r_.committed_tcb, product) + " / firmware " +
               std::to_string(r_.committed_major) + "." + std::to_string(r_.committed_minor) + "." +
               std::to_string(r_.committed_build) + " differs from CURRENT_TCB " +
               describe_tcb(r_.current_tcb, product) + " / firmware " + std::to_string(r_.current_major) +
               "." + std::to_string(r_.current_minor) + "." + std::to_string(r_.current_build));
    }
  }

  [[nodiscard]] bool signature_encoding_ok() const { return signature_encoding_ok_; }

 private:
  template <std::size_t N>
  void exact(const char* field, const std::optional<ByteArray<N>>& want, const ByteArray<N>& got) {
    if (want && *want != got)
      fail(FailureCode::kPolicyViolation,
           std::string(field) + " is " + to_hex(got) + ", expected " + to_hex(*want));
  }

  void id_block() {
    const KeyInfo k = decode_key_info(r_.key_info);
    auto trusted = [](const std::vector<ByteArray<48>>& set, const ByteArray<48>& d) {
      return std::find(set.begin(), set.end(), d) != set.end();
    };
    const bool author_ok = k.author_key_en && trusted(o_.trusted_author_key_hashes, r_.author_key_digest);
    if (o_.require_author_key && !author_ok) {
      fail(FailureCode::kPolicyViolation, "AUTHOR_KEY_DIGEST " + to_hex(r_.author_key_digest) +
                                              (k.author_key_en ? " is not a trusted author key"
                                                               : " is absent (KEY_INFO.AUTHOR_KEY_EN = 0)"));
    }
    if ((o_.require_id_block || o_.require_author_key) && !author_ok &&
        !trusted(o_.trusted_id_key_hashes, r_.id_key_digest)) {
      fail(FailureCode::kPolicyViolation,
           "ID_KEY_DIGEST " + to_hex(r_.id_key_digest) + " is not a trusted ID key");
    }
  }

  const Report& r_;
  const VerifyOptions& o_;
  Verdict& v_;
  bool signature_encoding_ok_ = true;
};

bool ecdsa_verify(EVP_PKEY* key, std::span<const std::uint8_t> signed_bytes, const Bytes& der_sig) {
  std::uint8_t digest[SHA384_DIGEST_LENGTH];
  SHA384(signed_bytes.data(), signed_bytes.size(), digest);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  return ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
         EVP_PKEY_verify(ctx.get(), der_sig.data(), der_sig.size(), digest, sizeof digest) == 1;
}

}  // namespace

Result<Bytes> report_signature_der(const Report& report) {
  for (const auto& problem :
       {component_problem(report.signature_r, "R"), component_problem(report.signature_s, "S")}) {
    if (!problem.empty())
      return make_error("attest", "SIGNATURE_ENCODING", problem, ErrorKind::kInput);
  }
  // Only the low 48 bytes of each 72-byte field carry the P-384 scalar (component_problem checked the rest).
  auto der = ecdsa_signature_der(std::span(report.signature_r).first(48),
                                 std::span(report.signature_s).first(48), ScalarOrder::kLittleEndian);
  if (!der)
    return make_error("attest", "OPENSSL_FAILURE", "DER encoding of the report signature failed");
  return std::move(*der);
}

Verifier::Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;
Verifier::~Verifier() = default;

Result<Verifier> Verifier::create(TrustConfig trust) {
  auto chains = ChainVerifier::create(std::move(trust));
  if (!chains)
    return chains.error();
  auto impl = std::make_unique<Impl>();
  impl->chains = std::move(*chains);
  return Verifier(std::move(impl));
}

void Verifier::clear_chain_cache() const {
  impl_->chains->clear_cache();
}

Verdict Verifier::verify(std::span<const std::uint8_t> raw, std::span<const std::uint8_t> vek_der,
                         const VerifyOptions& options, std::span<const X509* const> intermediates) const {
  Verdict verdict;
  auto parsed = parse_report(raw);
  if (!parsed) {
    verdict.failures.push_back(Failure{FailureCode::kSizeInvalid, parsed.error().message});
    return verdict;
  }
  verdict.report = *parsed;
  const Report& report = *verdict.report;
  Checker check(report, options, verdict);
  check.header(raw);    // 1
  check.binding();      // 2
  check.policy();       // 3
  check.signer();       // 4
  check.measurement();  // 5
  ChainOutcome chain =
      impl_->chains->check(vek_der, options.at, options.use_chain_cache, intermediates);  // 6
  verdict.chain_from_cache = chain.from_cache;
  verdict.failures.insert(verdict.failures.end(), chain.failures.begin(), chain.failures.end());
  Product product = options.product.value_or(Product::kUnknown);
  if (report.has_cpuid() && product_from_cpuid(report.cpuid_fam_id, report.cpuid_mod_id) != Product::kUnknown)
    product = product_from_cpuid(report.cpuid_fam_id, report.cpuid_mod_id);
  if (chain.chain) {
    product = chain.chain->product;
    check.binding_to_chain(*chain.chain);
  }
  verdict.product = product;
  check.tcb(product);  // 7
  // 8: the signature over the raw bytes, with the VEK's key even when its chain failed (the verdict then
  // still says whether the report itself is intact).
  const X509* vek = chain.chain ? chain.chain->vek.get() : chain.untrusted_vek.get();
  if (check.signature_encoding_ok() && vek != nullptr) {
    auto der = report_signature_der(report);
    if (!der || !ecdsa_verify(X509_get0_pubkey(vek), raw.first(kSignedSize), *der)) {
      check.fail(FailureCode::kSignatureInvalid,
                 "ECDSA P-384 signature over bytes 0x000..0x29f does not verify with the VEK '" +
                     subject_cn(*vek) + "' key");
    }
  }
  return verdict;
}

}  // namespace snprelay::attest
