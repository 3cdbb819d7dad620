#!/usr/bin/env bash
# Installs every Debian 12 package snprelay needs to build, test and benchmark.
# Idempotent: only packages that are missing are installed; nothing is downloaded
# outside apt. Safe to run as root on a fresh machine, or with sudo available.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git
  clang clang-format clang-tidy libclang-rt-14-dev
  libboost-dev
  libssl-dev openssl
  libcurl4-openssl-dev curl wrk
  libtss2-dev swtpm swtpm-tools tpm2-tools
  libprotobuf-dev protobuf-compiler
  libsecp256k1-dev
  libsqlite3-dev sqlite3
  libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  python3 python3-venv
  ovmf
  dpkg-dev fakeroot strace systemd prometheus faketime
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Node.js and npm drive the CosmJS conformance tests. A machine may carry its own
# Node.js build (with npm bundled); only fall back to Debian's when none is there.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # `prometheus` is here for promtool only (the alert-rule tests): on a machine run by systemd its
  # package starts a server on port 9090; stop and disable it.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  fi
fi

# The chain side (onchain/, Go) and the third-party .proto files both languages compile come from the
# Go module proxy. Debian 12's Go (1.19) is too old for the Cosmos SDK: the machine's Go toolchain
# (1.24 or newer) must be on PATH.
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v go >/dev/null 2>&1; then
  echo "bootstrap: no 'go' on PATH; onchain/ needs Go >= 1.24 (the machine's toolchain, e.g. /usr/local/go/bin)" >&2
  exit 1
fi
# go mod download is a no-op when the module cache already holds every pinned module.
(cd "$here/onchain" && go mod download) || { echo "bootstrap: go mod download in onchain/ failed" >&2; exit 1; }
gocosmos="$(go env GOPATH)/bin/protoc-gen-gocosmos"
if [ ! -x "$gocosmos" ]; then
  echo "bootstrap: installing protoc-gen-gocosmos (for scripts/protogen.sh)"
  (cd "$here/onchain" && go install github.com/cosmos/gogoproto/protoc-gen-gocosmos)
fi
gateway="$(go env GOPATH)/bin/protoc-gen-grpc-gateway"
if [ ! -x "$gateway" ]; then
  echo "bootstrap: installing protoc-gen-grpc-gateway v1.16.0 (REST gateway, for scripts/protogen.sh)"
  (cd "$here/onchain" && go install github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@v1.16.0)
fi
echo "bootstrap: Go $(go env GOVERSION), onchain/ modules in $(go env GOMODCACHE)"

# Test-only (issue 25): sev-snp-measure from PyPI, which the measurement agreement test compares
# `snprelay allowlist measure` against on Debian's OVMF images (package ovmf above). It goes into a venv in
# the build tree, never system-wide; without it the agreement tests report themselves skipped.
venv="$here/build/measure-venv"
if [ ! -x "$venv/bin/sev-snp-measure" ]; then
  echo "bootstrap: installing sev-snp-measure 0.0.13 into $venv (test-only)"
  { python3 -m venv "$venv" && "$venv/bin/pip" install -q "sev-snp-measure==0.0.13"; } ||
    echo "bootstrap: sev-snp-measure could not be installed; the measurement agreement tests will be skipped" >&2
fi
