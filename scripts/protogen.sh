#!/usr/bin/env bash
# Regenerates the committed Go code of the snpattest.v1 protocol (onchain/x/snpattest/types/*.pb.go and
# the REST gateway query.pb.gw.go)
# from chain/proto/snpattest/v1/*.proto, the one source of truth that chain/ also compiles for C++.
#   scripts/protogen.sh            write the files in place
#   scripts/protogen.sh --check    regenerate into a temp dir and fail when the committed files differ
# Needs Debian's protoc, protoc-gen-gocosmos and protoc-gen-grpc-gateway v1.16.0 (the REST gateway,
# query.pb.gw.go; `go install github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@v1.16.0`
# in onchain/ — the version onchain/go.mod pins); third-party
# imports come from the Go module cache (scripts/proto-includes.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-write}
plugin="$(go env GOPATH)/bin/protoc-gen-gocosmos"
[ -x "$plugin" ] || { echo "protogen: $plugin missing; run scripts/bootstrap.sh" >&2; exit 1; }
gw="$(go env GOPATH)/bin/protoc-gen-grpc-gateway"
[ -x "$gw" ] || { echo "protogen: $gw missing; run scripts/bootstrap.sh" >&2; exit 1; }
mapfile -t third_party < <(scripts/proto-includes.sh)
includes=()
# The SDK's own cosmos/* files come first so the Go code imports the SDK's registered descriptors,
# not chain/proto's wire-compatible C++ subsets.
for d in "${third_party[@]}"; do includes+=(-I "$d"); done
includes+=(-I chain/proto -I /usr/include)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
protoc "${includes[@]}" --plugin=protoc-gen-gocosmos="$plugin" \
  --gocosmos_out=plugins=grpc,Mgoogle/protobuf/any.proto=github.com/cosmos/gogoproto/types/any:"$out" \
  --plugin=protoc-gen-grpc-gateway="$gw" --grpc-gateway_out=logtostderr=true,allow_colon_final_segments=true:"$out" \
  chain/proto/snpattest/v1/*.proto 2>&1 | sed 's/^/protoc: /' >&2
# The depinject module config (snpattest.module.v1, Go only) goes to its own package.
protoc "${includes[@]}" --plugin=protoc-gen-gocosmos="$plugin" --gocosmos_out=plugins=grpc:"$out" \
  chain/proto/snpattest/module/v1/*.proto 2>&1 | sed 's/^/protoc: /' >&2
for sub in "" /modulev1; do
gen="$out/github.com/snprelay/snprelay/onchain/x/snpattest/types$sub"
dest=onchain/x/snpattest/types$sub
if [ "$mode" = "--check" ]; then
  stale=0
  for f in "$gen"/*.pb*.go; do
    if ! cmp -s "$f" "$dest/$(basename "$f")"; then echo "protogen: $dest/$(basename "$f") is stale" >&2; stale=1; fi
  done
  for f in "$dest"/*.pb*.go; do
    [ -e "$gen/$(basename "$f")" ] || { echo "protogen: $f has no .proto source" >&2; stale=1; }
  done
  [ "$stale" -eq 0 ] || { echo "protogen: run scripts/protogen.sh and commit the result" >&2; exit 1; }
  echo "protogen: generated Go code in $dest is current"
else
  mkdir -p "$dest"
  rm -f "$dest"/*.pb*.go
  cp "$gen"/*.pb*.go "$dest/"
  echo "protogen: wrote $(ls "$gen"/*.pb*.go | wc -l) files to $dest"
fi
done
