// Owning handles for tpm2-tss objects (internal to attest/tpm; includes the tss2 headers).
//
// Every TCTI context, ESYS context, ESYS output buffer and transient TPM object/session is owned by
// the line that creates it:
//   TctiPtr      Tss2_TctiLdr_Finalize on destruction
//   EsysPtr      Esys_Finalize on destruction (declare it after the TctiPtr it uses, so it dies first)
//   EsysOut<T>   Esys_Free on destruction; fill it through out(ptr) at the call: Esys_X(..., out(p))
//   SecretOut    like EsysOut<TPM2B_SENSITIVE_DATA> but wipes the buffer before freeing it
//   Transient    Esys_FlushContext on destruction (a loaded object or a started session); filled by
//                Esys_X(..., guard.receive()); must not outlive the ESYS context it was created in
// Thread-safety: none; an ESYS context is used by one thread at a time (Tpm serialises).
#pragma once

#include <openssl/crypto.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include <memory>
#include <utility>

namespace snprelay::attest::tpm::detail {

// The TCTI loader's context (socket or device fd inside). Finalize closes it.
struct TctiDeleter {
  void operator()(TSS2_TCTI_CONTEXT* tcti) const { Tss2_TctiLdr_Finalize(&tcti); }
};
using TctiPtr = std::unique_ptr<TSS2_TCTI_CONTEXT, TctiDeleter>;

// The ESYS context. Finalize releases ESYS-side state only: it does NOT flush TPM objects, which is
// why every transient handle has its own Transient guard.
struct EsysDeleter {
  void operator()(ESYS_CONTEXT* ctx) const { Esys_Finalize(&ctx); }
};
using EsysPtr = std::unique_ptr<ESYS_CONTEXT, EsysDeleter>;

// Every T** output of an ESYS call is one malloc'ed block released with Esys_Free.
struct EsysFreeDeleter {
  void operator()(void* p) const { Esys_Free(p); }
};
template <typename T>
using EsysOut = std::unique_ptr<T, EsysFreeDeleter>;

// Esys_Unseal's output holds the secret in clear: wiped before it is freed.
struct SecretFreeDeleter {
  void operator()(TPM2B_SENSITIVE_DATA* p) const {
    OPENSSL_cleanse(p, sizeof *p);
    Esys_Free(p);
  }
};
using SecretOut = std::unique_ptr<TPM2B_SENSITIVE_DATA, SecretFreeDeleter>;

// Adapter for ESYS's T** output parameters: the returned proxy hands ESYS a T** and, at the end of
// the full expression, moves whatever ESYS allocated into the owning pointer (C++23's std::out_ptr).
// The owner is therefore set only after the whole statement: never read it in the same expression
// (`Init(out(a)) == 0 && Use(a.get())` would pass null).
template <typename Ptr>
class OutPtr {
 public:
  using T = typename Ptr::element_type;
  explicit OutPtr(Ptr& owner) : owner_(owner) {}
  OutPtr(const OutPtr&) = delete;
  OutPtr& operator=(const OutPtr&) = delete;
  ~OutPtr() { owner_.reset(raw_); }
  operator T**() { return &raw_; }  // NOLINT(google-explicit-constructor)

 private:
  Ptr& owner_;
  T* raw_ = nullptr;
};
template <typename Ptr>
OutPtr<Ptr> out(Ptr& owner) {
  return OutPtr<Ptr>(owner);
}

// A transient object or session, flushed from the TPM when the guard dies.
class Transient {
 public:
  // An empty guard bound to `ctx`; ESYS writes the new handle through receive().
  explicit Transient(ESYS_CONTEXT* ctx) : ctx_(ctx) {}
  Transient(const Transient&) = delete;
  Transient& operator=(const Transient&) = delete;
  Transient(Transient&& other) noexcept
      : ctx_(other.ctx_), handle_(std::exchange(other.handle_, ESYS_TR_NONE)) {}
  Transient& operator=(Transient&& other) noexcept {
    if (this != &other) {
      reset();
      ctx_ = other.ctx_;
      handle_ = std::exchange(other.handle_, ESYS_TR_NONE);
    }
    return *this;
  }
  // Flushes (errors ignored: nothing useful can be done about a failed flush in a destructor; the
  // resource manager or a TPM restart reclaims the slot).
  ~Transient() { reset(); }

  [[nodiscard]] ESYS_TR get() const { return handle_; }
  // The output parameter for Esys_CreatePrimary/Load/StartAuthSession: Esys_X(..., guard.receive()).
  [[nodiscard]] ESYS_TR* receive() {
    reset();
    return &handle_;
  }
  // Flushes now and empties the guard (e.g. a trial session no longer needed).
  void reset() {
    if (handle_ != ESYS_TR_NONE)
      (void)Esys_FlushContext(ctx_, handle_);
    handle_ = ESYS_TR_NONE;
  }

 private:
  ESYS_CONTEXT* ctx_ = nullptr;
  ESYS_TR handle_ = ESYS_TR_NONE;
};

}  // namespace snprelay::attest::tpm::detail
