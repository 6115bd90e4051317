#!/bin/sh
# Builds netprobe (standard library only): a static Linux binary the router image copies in.
#   ./build.sh /some/output/path        (prepare.sh passes $CONTEXT_DIR/bin/netprobe)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT_PATH}
mkdir -p "$(dirname "$out")"
cd "$here"
GOTOOLCHAIN=local CGO_ENABLED=0 GOOS=linux GOARCH="${GOARCH:-amd64}" \
  go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$out" .
