#include "common/secret_guard.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace snprelay {

Status protect_process_secrets() {
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0)
    return make_error("common", "SECRET_GUARD_FAILED",
                      std::string("setrlimit(RLIMIT_CORE, 0): ") + std::strerror(errno));
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return make_error("common", "SECRET_GUARD_FAILED",
                      std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno));
  return ok_status();
}

bool process_secrets_protected() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_CORE, &lim) != 0)
    return false;
  return lim.rlim_cur == 0 && lim.rlim_max == 0 && ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
}

}  // namespace snprelay
