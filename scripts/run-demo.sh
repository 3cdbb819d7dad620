#!/usr/bin/env bash
# Builds snprelay and runs the most end-to-end job it can do today on the embedded default
# configuration: show the build and its libraries, then load and validate the guide's enclave.toml
# and print the effective configuration. Later issues grow this into the full devnet loop.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
bin=build/bin/snprelay

step() { printf '\n== %s\n' "$*"; }
step "1. snprelay version"
"$bin" version
step "2. validate the guide's enclave.toml (tests/data/config/guide-enclave.toml)"
"$bin" config check tests/data/config/guide-enclave.toml
step "3. a misspelled key is refused with its path and line (exit 2 expected)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed 's/kds_timeout/kds_timeut/' tests/data/config/guide-enclave.toml > "$tmp/enclave.toml"
set +e; "$bin" config check "$tmp/enclave.toml"; rc=$?; set -e
echo "exit code: $rc"
[ "$rc" -eq 2 ]
step "demo finished"
