// What `start` checks at startup that relayer/app's doctor cannot see (it lies below the daemon's
// libraries): the submission journal and the API listener. `snprelay doctor` appends these to
// app::run_doctor's checks, so doctor fails wherever start would (issue 21: doctor said ok for a
// garbage journal while start was certain to fail).
//   journal  an existing file must open as a journal (Journal::open_read_only: not another database,
//            not a newer schema, not a FIFO or device); rows the daemon would quarantine are a warning
//            naming the first; an absent file is fine when its directory exists or can be made.
//   api      the token file (as start reads it: private, regular, non-empty), the listen rule
//            ([api] listen, the config loader's loopback rule), and a bind of the address, released
//            at once; a port in use is a failure unless this home's daemon holds it.
// Read-only: nothing is created, migrated or written; the bind is closed before the check returns.
//
// Thread-safety: plain functions.
#pragma once

#include "config/config.hpp"
#include "relayer/app/doctor.hpp"

namespace snprelay::daemon {

[[nodiscard]] app::CheckResult check_journal(const config::Config& config);
// `daemon_running`: this home's daemon holds its lock (then the port is expected to be taken).
[[nodiscard]] app::CheckResult check_api(const config::Config& config, bool daemon_running);

}  // namespace snprelay::daemon
