#!/usr/bin/env bash
# bootstrap + configure + build into build/ (preset "default"). The binaries land at build/bin/snprelay
# (C++) and build/bin/snpattestd (Go: the reference chain node, onchain/cmd/snpattestd).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
echo "build: $(pwd)/build/bin/snprelay"

# snpattestd. A cold Go build cache compiles ~1,200 packages (Cosmos SDK, CometBFT, go-sev-guest) and
# takes 5-15 minutes on a 2-core machine (onchain/README.md has the measured figure); later builds
# take seconds. `go build -v` names each package it compiles: we print a progress line every 50 of
# them and pass through anything else (downloads, errors).
if ! command -v go >/dev/null 2>&1; then
  echo "build: go is not installed; cannot build build/bin/snpattestd" >&2
  exit 1
fi
if [[ ! -x build/bin/snpattestd ]]; then
  echo "build: snpattestd: compiling the Go chain node; the first build takes a few minutes..."
fi
start=$(date +%s)
(cd onchain && go build -v -o ../build/bin/snpattestd ./cmd/snpattestd 2>&1) | awk -v start="$start" '
  /^[^ #]+$/ {
    n++
    if (n % 50 == 0) {
      printf "build: snpattestd: %d packages compiled (%ds)\n", n, systime() - start
      fflush()
    }
    next
  }
  { print; fflush() }
  END { if (n > 0) printf "build: snpattestd: %d packages compiled\n", n }'
echo "build: $(pwd)/build/bin/snpattestd ($(($(date +%s) - start))s)"
