#!/bin/sh
# ctest entry for the CosmJS conformance harness: installs the pinned node deps from package-lock.json
# (npm ci) when node_modules is missing, then runs conformance.js. Args: SNPRELAY_BIN TOOL_BIN [ITER] [SEED]
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules/@cosmjs/tendermint-rpc ]; then
  npm ci --no-audit --no-fund
fi
exec node conformance.js "$@"
