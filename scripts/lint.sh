#!/usr/bin/env bash
# clang-format (check only) and clang-tidy over our sources. Needs build/compile_commands.json
# (scripts/build.sh makes it). Exit non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-doc-citations.py  # every document or section a file cites is in the repository
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find common config db attest chain allowlist relayer tests bench -name '*.[ch]pp')
echo "lint: clang-format on ${#sources[@]} files"
clang-format --dry-run -Werror "${sources[@]}"
# attest/sim/kds_server.cpp, relayer/api/http_server.cpp and relayer/daemon/daemon_loop.cpp (the only
# coroutine translation units) are left to GCC (-Werror): clang-tidy 14 cannot parse C++20 coroutines
# against libstdc++ 12, so Boost.Asio hides its awaitable API from it.
mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep -E '^(common|config|db|attest|chain|allowlist|relayer)/.*\.cpp$' |
  grep -v -e '^attest/sim/kds_server.cpp$' -e '^relayer/api/http_server.cpp$' \
  -e '^relayer/daemon/daemon_loop.cpp$')
echo "lint: clang-tidy on ${#units[@]} translation units"
# A unit whose preprocessed input a previous clean run already checked is skipped (scripts/tidy-cached.py:
# a content-keyed cache, as ccache is for the compiler; SNPRELAY_TIDY_CACHE=off checks every unit).
scripts/tidy-cached.py build "${units[@]}"
echo "lint: clean"
