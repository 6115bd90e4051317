#!/usr/bin/env bash
# Builds the pinned radicle binaries from crates.io into a cache outside the repo.
# Re-running is a no-op when the cache already holds this exact set.
set -euo pipefail

RADICLE_NODE_VERSION=0.21.1
RADICLE_CLI_VERSION=0.23.0
RADICLE_REMOTE_HELPER_VERSION=0.18.1

set_id="node-${RADICLE_NODE_VERSION}_cli-${RADICLE_CLI_VERSION}_rh-${RADICLE_REMOTE_HELPER_VERSION}"
cache_root="${ONECLICK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/oneclick}"
out="$cache_root/radicle/$set_id"

if [[ -x "$out/bin/radicle-node" && -x "$out/bin/rad" && -x "$out/bin/git-remote-rad" ]]; then
  echo "$out/bin"
  exit 0
fi

mkdir -p "$out"
target="$cache_root/radicle/target"
install_one() {
  local crate=$1 version=$2
  echo "[radicle] building $crate $version (first build takes a long time)" >&2
  RADICLE_VERSION="$version" cargo install --locked --quiet \
    --root "$out.partial" --target-dir "$target" "$crate@$version" >&2
}
install_one radicle-node "$RADICLE_NODE_VERSION"
install_one radicle-cli "$RADICLE_CLI_VERSION"
install_one radicle-remote-helper "$RADICLE_REMOTE_HELPER_VERSION"
rm -rf "$out"
mv "$out.partial" "$out"
echo "$out/bin"
