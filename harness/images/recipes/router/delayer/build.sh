#!/bin/sh
# Builds the NFQUEUE delayer: a static Linux binary the router image copies in.
#   CONTEXT_DIR=/path/to/context ./build.sh      -> $CONTEXT_DIR/delayer
#   ./build.sh /some/output/path                 -> that path
# Needs Go (1.22+) and the Go module proxy; modules are pinned by go.sum.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${CONTEXT_DIR:?set CONTEXT_DIR or pass an output path}/delayer}
mkdir -p "$(dirname "$out")"
cd "$here"
GOTOOLCHAIN=local CGO_ENABLED=0 GOOS=linux GOARCH="${GOARCH:-amd64}" \
  go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$out" .
