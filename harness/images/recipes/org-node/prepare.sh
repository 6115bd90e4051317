#!/usr/bin/env bash
# Host-side step of the org-node recipe (run by the image builder with CONTEXT_DIR set):
# puts the radicle binaries and the compiled HTTP API/supervisor into $CONTEXT_DIR/bin.
set -euo pipefail
: "${CONTEXT_DIR:?run by the image builder}"
: "${IMAGES_DIR:?run by the image builder}"

# A no-op that prints the bin dir once cached; the first build takes ~12 min and says so on stderr.
radicle_bin=$("$IMAGES_DIR/radicle/build-binaries.sh")
mkdir -p "$CONTEXT_DIR/bin"
for b in radicle-node rad git-remote-rad; do
  # A hard link when the cache is on the same file system: no copy of ~50 MB on every cache check.
  ln -f "$radicle_bin/$b" "$CONTEXT_DIR/bin/$b" 2>/dev/null || cp "$radicle_bin/$b" "$CONTEXT_DIR/bin/$b"
done

command -v go >/dev/null || { echo "Go is needed to compile the org-node HTTP API (httpapi/)" >&2; exit 1; }
src="$CONTEXT_DIR/httpapi"
# Compiled once per source + toolchain; -trimpath and no VCS stamp keep the binary (and so the tag) stable.
goversion=$(go env GOVERSION)
key="$(cat "$src/go.mod" "$src"/*.go | sha256sum | cut -c1-16)-$goversion"
cache="${ONECLICK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/oneclick}/orgnode-api/$key"
if [[ ! -x "$cache/orgnode-api" ]]; then
  echo "compiling httpapi/ (Go $goversion, CGO_ENABLED=0)" >&2
  mkdir -p "$(dirname "$cache")"
  partial=$(mktemp -d "$cache.partial.XXXXXX")
  (cd "$src" && CGO_ENABLED=0 GOOS=linux GOFLAGS=-mod=mod go build -trimpath -buildvcs=false -ldflags='-s -w' \
    -o "$partial/orgnode-api" .)
  mv -T "$partial" "$cache" 2>/dev/null || rm -rf "$partial" # another build got there first: same bytes
fi
ln -f "$cache/orgnode-api" "$CONTEXT_DIR/bin/orgnode-api" 2>/dev/null || cp "$cache/orgnode-api" "$CONTEXT_DIR/bin/orgnode-api"
# The binary is what goes into the image; the source stays out of the context (and the hash covers the binary).
rm -rf "$src"
