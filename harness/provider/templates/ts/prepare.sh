#!/usr/bin/env bash
# Runs on the harness host before the image build (SPEC.md §2), in a temporary copy of this folder
# (cwd = CONTEXT_DIR; also ONECLICK_ROOT and NODE, the harness's Node binary). Leaves in the context:
#   node          the host's Node binary (the image has no other)
#   app/main.mjs  src/main.ts bundled by oneclick's esbuild
# Replace it with your own build (npm ci && your bundler) once the package has dependencies of its own.
set -euo pipefail
: "${CONTEXT_DIR:?run by the harness}"
: "${ONECLICK_ROOT:?run by the harness}"
node_bin=${NODE:-$(command -v node)}
esbuild="$ONECLICK_ROOT/node_modules/.bin/esbuild"
[[ -x "$esbuild" ]] || { echo "no $esbuild: run npm ci in $ONECLICK_ROOT" >&2; exit 1; }

mkdir -p "$CONTEXT_DIR/app"
"$esbuild" "$CONTEXT_DIR/src/main.ts" --bundle --platform=node --format=esm --target=node20 \
  --log-level=warning --outfile="$CONTEXT_DIR/app/main.mjs"
rm -rf "$CONTEXT_DIR/src"
# A hard link when on the same file system: no 100 MB copy on every cache check.
ln -f "$node_bin" "$CONTEXT_DIR/node" 2>/dev/null || cp "$node_bin" "$CONTEXT_DIR/node"
