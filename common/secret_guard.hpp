// Keeping secrets in memory out of core files and out of other processes' reach.
//
// protect_process_secrets() makes the process non-dumpable (prctl PR_SET_DUMPABLE 0: no core file, and
// another process of the same user cannot ptrace it or read /proc/PID/mem) and sets the core-file size
// limit to zero (RLIMIT_CORE 0, soft and hard), so a crash while a key, mnemonic or passphrase is in
// memory writes it nowhere. The CLI calls it before it unlocks or creates a key and the daemon at
// start-up; calling it more than once is harmless. It cannot be undone for the life of the process.
//
// Errors: common SECRET_GUARD_FAILED (kind kInternal) naming the call that failed; the caller should
// not go on to read the secret.
//
// Thread-safety: process-wide settings; call from one thread, before secrets are read.
#pragma once

#include "common/error.hpp"

namespace snprelay {

[[nodiscard]] Status protect_process_secrets();

// True once the process is non-dumpable and RLIMIT_CORE is 0 (what protect_process_secrets sets).
[[nodiscard]] bool process_secrets_protected();

}  // namespace snprelay
