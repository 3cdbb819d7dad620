#!/usr/bin/env bash
# bootstrap + configure + build into build/ (preset "default"). The binary lands at build/bin/snprelay.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
echo "build: $(pwd)/build/bin/snprelay"
