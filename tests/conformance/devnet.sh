#!/bin/sh
# ctest entry for the CosmJS devnet test: installs the pinned node deps from package-lock.json (npm ci)
# when missing, then runs devnet.js. Args: SNPATTESTD_BIN SNPRELAY_BIN
set -eu
snpattestd=$(realpath "$1")
snprelay=$(realpath "$2")
cd "$(dirname "$0")"
if [ ! -d node_modules/@cosmjs/tendermint-rpc ]; then
  npm ci --no-audit --no-fund
fi
exec node devnet.js "$snpattestd" "$snprelay"
