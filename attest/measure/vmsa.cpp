#include "attest/measure/vmsa.hpp"

namespace snprelay::attest::measure {
namespace {

// Offsets in the save area (struct sev_es_save_area in Linux arch/x86/include/asm/svm.h).
enum Offset : std::size_t {
  kEs = 0x000,  // segments: u16 selector, u16 attributes, u32 limit, u64 base
  kCs = 0x010,
  kSs = 0x020,
  kDs = 0x030,
  kFs = 0x040,
  kGs = 0x050,
  kGdtr = 0x060,
  kLdtr = 0x070,
  kIdtr = 0x080,
  kTr = 0x090,
  kEfer = 0x0D0,
  kCr4 = 0x148,
  kCr0 = 0x158,
  kDr7 = 0x160,
  kDr6 = 0x168,
  kRflags = 0x170,
  kRip = 0x178,
  kGPat = 0x268,
  kRdx = 0x310,
  kSevFeatures = 0x3B0,
  kXcr0 = 0x3E8,
  kMxcsr = 0x408,
  kX87Fcw = 0x410,
};

class Writer {
 public:
  explicit Writer(VmsaPage& page) : page_(page) {}
  void put(std::size_t at, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      page_[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  void segment(std::size_t at, std::uint16_t selector, std::uint16_t attrib, std::uint32_t limit,
               std::uint64_t base) {
    put(at, selector, 2);
    put(at + 2, attrib, 2);
    put(at + 4, limit, 4);
    put(at + 8, base, 8);
  }

 private:
  VmsaPage& page_;
};

struct VmmConventions {
  std::uint16_t cs_attrib, ss_attrib, tr_attrib;
  std::uint64_t rdx, g_pat;
  std::uint32_t mxcsr;
  std::uint16_t fcw;
};

constexpr std::uint64_t kDefaultPat = 0x0007040600070406;  // the PAT MSR's reset value (APM vol. 2 A.3)

VmmConventions conventions(Vmm vmm, std::uint32_t eip, std::uint32_t vcpu_sig) {
  switch (vmm) {
    case Vmm::kEc2:
      // EC2 marks CS not-accessed for the BSP, uses system segment type 3 for TR, a fixed family-6
      // signature in RDX and leaves MXCSR and the x87 control word zero.
      return {static_cast<std::uint16_t>(eip == kBspResetEip ? 0x9a : 0x9b),
              0x92,
              0x83,
              0x600,
              kDefaultPat,
              0,
              0};
    case Vmm::kGce:
      // GCE keeps QEMU's attributes but overwrites PAT and, like EC2, RDX, MXCSR and FCW.
      return {0x9b, 0x93, 0x8b, 0x600, 0x00070106, 0, 0};
    case Vmm::kQemu:
      break;
  }
  // QEMU/KVM: RDX holds the vCPU signature at reset (as on bare metal); MXCSR and FCW their reset values.
  return {0x9b, 0x93, 0x8b, vcpu_sig, kDefaultPat, 0x1f80, 0x37f};
}

}  // namespace

VmsaPage initial_vmsa(std::uint32_t eip, std::uint64_t guest_features, std::uint32_t vcpu_sig, Vmm vmm) {
  const VmmConventions c = conventions(vmm, eip, vcpu_sig);
  VmsaPage page{};
  Writer w(page);
  w.segment(kEs, 0, 0x93, 0xffff, 0);
  w.segment(kCs, 0xf000, c.cs_attrib, 0xffff, eip & 0xffff0000U);
  w.segment(kSs, 0, c.ss_attrib, 0xffff, 0);
  w.segment(kDs, 0, 0x93, 0xffff, 0);
  w.segment(kFs, 0, 0x93, 0xffff, 0);
  w.segment(kGs, 0, 0x93, 0xffff, 0);
  w.segment(kGdtr, 0, 0, 0xffff, 0);
  w.segment(kLdtr, 0, 0x82, 0xffff, 0);
  w.segment(kIdtr, 0, 0, 0xffff, 0);
  w.segment(kTr, 0, c.tr_attrib, 0xffff, 0);
  w.put(kEfer, 0x1000, 8);  // EFER.SVME, which KVM sets
  w.put(kCr4, 0x40, 8);     // CR4.MCE, which KVM sets
  w.put(kCr0, 0x10, 8);     // CR0.ET
  w.put(kDr7, 0x400, 8);
  w.put(kDr6, 0xffff0ff0, 8);
  w.put(kRflags, 0x2, 8);
  w.put(kRip, eip & 0xffffU, 8);
  w.put(kGPat, c.g_pat, 8);
  w.put(kRdx, c.rdx, 8);
  w.put(kSevFeatures, guest_features, 8);
  w.put(kXcr0, 0x1, 8);
  w.put(kMxcsr, c.mxcsr, 4);
  w.put(kX87Fcw, c.fcw, 2);
  return page;
}

}  // namespace snprelay::attest::measure
