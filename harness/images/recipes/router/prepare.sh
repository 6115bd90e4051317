#!/bin/sh
# Host-side step of the router recipe, run by the image builder with CONTEXT_DIR set to a temporary
# copy of this directory. Every tool directory here that has an executable build.sh is built into
# $CONTEXT_DIR/bin/<dir> (build.sh gets the output path as $1) and its sources are dropped from the
# build context. The Dockerfile copies bin/ to /usr/local/bin/. To add a tool: add <tool>/build.sh.
set -eu
: "${CONTEXT_DIR:?prepare.sh needs CONTEXT_DIR}"
mkdir -p "$CONTEXT_DIR/bin"
for build in "$CONTEXT_DIR"/*/build.sh; do
  [ -e "$build" ] || continue
  dir=$(dirname "$build")
  tool=$(basename "$dir")
  [ "$tool" = bin ] && continue
  if [ ! -x "$build" ]; then
    echo "prepare: $tool/build.sh is not executable" >&2
    exit 1
  fi
  echo "prepare: building $tool"
  "$build" "$CONTEXT_DIR/bin/$tool"
  rm -rf "$dir"
done
# Keeps `COPY bin/` valid when no tool was built.
touch "$CONTEXT_DIR/bin/.keep"
