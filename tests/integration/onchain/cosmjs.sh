#!/bin/sh
# ctest entry of the CosmJS devnet tests (onchain.cosmjs_issue20, onchain.cosmjs_issue23*): the pinned
# node deps are tests/conformance's (npm ci there when missing); runs SCRIPT (a .js file next to this
# one). Args: SCRIPT SNPATTESTD_BIN SNPRELAY_BIN
set -eu
script=$1
snpattestd=$(realpath "$2")
snprelay=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
conf="$here/../../conformance"
if [ ! -d "$conf/node_modules/@cosmjs/tendermint-rpc" ]; then
  (cd "$conf" && npm ci --no-audit --no-fund)
fi
NODE_PATH="$conf/node_modules" exec node "$here/$script" "$snpattestd" "$snprelay"
