#!/bin/sh
# ctest entry onchain.cosmjs_issue20: the pinned node deps are tests/conformance's (npm ci there when
# missing); runs cosmjs_issue20.js. Args: SNPATTESTD_BIN SNPRELAY_BIN
set -eu
snpattestd=$(realpath "$1")
snprelay=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
conf="$here/../../conformance"
if [ ! -d "$conf/node_modules/@cosmjs/tendermint-rpc" ]; then
  (cd "$conf" && npm ci --no-audit --no-fund)
fi
NODE_PATH="$conf/node_modules" exec node "$here/cosmjs_issue20.js" "$snpattestd" "$snprelay"
