// AMD's real SEV-SNP root and intermediate certificates, compiled in.
//
// For each of Milan, Genoa and Turin: the ARK (self-signed RSA-4096 root), the ASK (signs VCEKs) and
// the ASVK (signs VLEKs), exactly as AMD's KDS serves them at /vcek/v1/{product}/cert_chain and
// /vlek/v1/{product}/cert_chain (copied from go-sev-guest's verify/trust bundles; SHA-256 fingerprints
// in docs/snp-report.md "Certificates and trust"). These ARKs are the only trust anchors the verifier
// accepts unless the caller explicitly adds another (the simulated firmware's root, a test root).
//
// Thread-safety: amd_pinned_roots() parses the PEMs once (function-local static, thread-safe
// initialisation) and returns an immutable object that lives for the whole process.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "attest/ossl.hpp"
#include "attest/tcb.hpp"

namespace snprelay::attest {

// One compiled-in bundle: its file name as AMD/go-sev-guest ship it (e.g. "ask_ark_milan.pem") and the
// PEM text (intermediate first, then the ARK).
struct AmdPemBundle {
  std::string_view name;
  std::string_view pem;
};

// The six bundles (Milan, Genoa, Turin x VCEK, VLEK).
[[nodiscard]] std::span<const AmdPemBundle> amd_pem_bundles();

// A parsed pinned certificate with what the verifier needs to match it quickly.
struct PinnedCert {
  X509Ptr cert;
  Product product = Product::kUnknown;
  bool vlek = false;  // for intermediates: ASVK (signs VLEKs) rather than ASK
  std::array<std::uint8_t, 32> sha256{};
};

struct PinnedRoots {
  std::vector<PinnedCert> arks;           // 3, one per product, self-signatures checked at load
  std::vector<PinnedCert> intermediates;  // 6: ASK and ASVK per product, each checked against its ARK
};

// Parses (once) and returns the compiled-in certificates. The bundles are constants of this program,
// so a parse failure, a fingerprint that differs from the pinned value or a signature that does not
// verify is a broken build and aborts the process.
[[nodiscard]] const PinnedRoots& amd_pinned_roots();

}  // namespace snprelay::attest
