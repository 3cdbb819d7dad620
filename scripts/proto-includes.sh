#!/usr/bin/env bash
# Prints, one per line, the third-party .proto include directories that chain/proto/snpattest imports
# (amino, cosmos_proto, gogoproto, the Cosmos SDK's own files, google/api/annotations.proto for the
# REST routes — from grpc-gateway v1's third_party/googleapis, the copy the SDK's gateway code uses). They come from the Go module cache that
# scripts/bootstrap.sh fills with `go mod download` in onchain/: buf's registry is not reachable here,
# and the versions are exactly the ones onchain/go.mod pins. Used by chain/CMakeLists.txt (C++) and
# scripts/protogen.sh (Go). Exits non-zero, naming the module, when one is missing from the cache.
set -euo pipefail
cd "$(dirname "$0")/../onchain"
dir_of() {
  local d
  d=$(GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' "$1" 2>/dev/null || true)
  if [ -z "$d" ] || [ ! -d "$d" ]; then
    echo "proto-includes: $1 is not in the Go module cache; run scripts/bootstrap.sh (go mod download in onchain/)" >&2
    exit 1
  fi
  echo "$d"
}
sdk=$(dir_of github.com/cosmos/cosmos-sdk)
echo "$sdk/proto"
echo "$(dir_of github.com/cosmos/cosmos-proto)/proto"
dir_of github.com/cosmos/gogoproto
echo "$(dir_of github.com/grpc-ecosystem/grpc-gateway)/third_party/googleapis"
