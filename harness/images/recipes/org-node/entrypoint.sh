#!/usr/bin/env bash
# org-node entrypoint. On first start it creates the node identity in $RAD_HOME (a volume), and
# reuses it afterwards; on every start it writes config.json from the environment, then runs
# radicle-node under orgnode-api (supervisor + HTTP API).
#
#   RAD_HOME                /radicle (mount a volume here)
#   RAD_ALIAS               node alias (default: the container's hostname)
#   RAD_KEYGEN_SEED         64 hex chars: a deterministic key (first start only)
#   RAD_LISTEN              comma list of IP:port (default 0.0.0.0:8776)
#   RAD_EXTERNAL_ADDRESSES  comma list of host:port announced to peers
#   RAD_CONNECT             comma list of NID@host:port to stay connected to
#   RAD_SEEDING_POLICY      block (default, as radicle) | allow
#   RAD_SEEDING_SCOPE       all (default) | followed   (with allow)
#   RAD_NETWORK             test (default) | main
#   RAD_PEERS               dynamic | static (default: leave radicle's value)
#   RAD_CONFIG_PATCH        JSON object deep-merged into config.json last
#   ONECLICK_HTTP_LISTEN    HTTP API address (default 0.0.0.0:8080)
#   ONECLICK_CONTROL_LISTEN the control socket over HTTP at this address (unset: off; harness peers only)
#   ONECLICK_NODE_RESTART   always (default) | never: restart radicle-node when it dies
set -euo pipefail

log() { echo "[entrypoint] $*" >&2; }
die() {
  log "error: $*"
  exit 64
}

export RAD_HOME=${RAD_HOME:-/radicle}
export RAD_PASSPHRASE=${RAD_PASSPHRASE-}
[[ -z ${RAD_KEYGEN_SEED:-} ]] && unset RAD_KEYGEN_SEED
alias=${RAD_ALIAS:-$(hostname)}
mkdir -p "$RAD_HOME"
config="$RAD_HOME/config.json"

if [[ ! -s "$RAD_HOME/keys/radicle" ]]; then
  if [[ -n ${RAD_KEYGEN_SEED:-} && ! $RAD_KEYGEN_SEED =~ ^[0-9a-fA-F]{64}$ ]]; then
    die "RAD_KEYGEN_SEED must be exactly 64 hex characters"
  fi
  rm -f "$config"
  rad auth --alias "$alias" >/dev/null 2>"$RAD_HOME/.auth.log" || {
    cat "$RAD_HOME/.auth.log" >&2
    die "rad auth failed"
  }
  rm -f "$RAD_HOME/.auth.log"
  log "created identity $(orgnode-api nid) (alias $alias)"
else
  log "reusing identity $(orgnode-api nid)"
fi
[[ -s "$config" ]] || die "$config is missing (an identity without its config?)"

case ${RAD_SEEDING_POLICY:-block} in allow | block) ;; *) die "RAD_SEEDING_POLICY must be allow or block, not ${RAD_SEEDING_POLICY}" ;; esac
case ${RAD_SEEDING_SCOPE:-all} in all | followed) ;; *) die "RAD_SEEDING_SCOPE must be all or followed" ;; esac
case ${RAD_NETWORK:-test} in test | main) ;; *) die "RAD_NETWORK must be test or main" ;; esac
case ${RAD_PEERS:-} in '' | static | dynamic) ;; *) die "RAD_PEERS must be static or dynamic" ;; esac

# One jq run: comma lists become arrays ("a, b ,c" -> ["a","b","c"]), RAD_CONFIG_PATCH is merged last.
tmp=$(mktemp "$config.XXXXXX")
if ! jq --arg alias "$alias" \
  --arg network "${RAD_NETWORK:-test}" \
  --arg peers "${RAD_PEERS:-}" \
  --arg listen "${RAD_LISTEN:-0.0.0.0:8776}" \
  --arg external "${RAD_EXTERNAL_ADDRESSES:-}" \
  --arg connect "${RAD_CONNECT:-}" \
  --arg policy "${RAD_SEEDING_POLICY:-block}" \
  --arg scope "${RAD_SEEDING_SCOPE:-all}" \
  --arg patch "${RAD_CONFIG_PATCH:-}" \
  'def list: split(",") | map(gsub("^\\s+|\\s+$"; "")) | map(select(length > 0));
   ($patch | if . == "" then {} else fromjson end) as $p
   | if ($p | type) != "object" then error("RAD_CONFIG_PATCH must be a JSON object") else . end
   | .preferredSeeds = []
   | .node.alias = $alias
   | .node.network = $network
   | .node.listen = ($listen | list)
   | .node.externalAddresses = ($external | list)
   | .node.connect = ($connect | list)
   | .node.seedingPolicy = (if $policy == "allow" then {default: "allow", scope: $scope} else {default: "block"} end)
   | (if $peers != "" then .node.peers = {type: $peers} else . end)
   | . * $p' "$config" >"$tmp"; then
  rm -f "$tmp"
  die "could not write $config from the environment (is RAD_CONFIG_PATCH valid JSON?)"
fi
mv "$tmp" "$config"
log "config: network=${RAD_NETWORK:-test} listen=${RAD_LISTEN:-0.0.0.0:8776} external=${RAD_EXTERNAL_ADDRESSES:-} connect=${RAD_CONNECT:-} seeding=${RAD_SEEDING_POLICY:-block}"

# The client role (outside peers) commits and pushes with git.
git config --global user.name "${GIT_USER_NAME:-$alias}"
git config --global user.email "${GIT_USER_EMAIL:-$alias@peers.oneclick.test}"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

# --force: a SIGKILL can leave a stale control socket on the volume.
exec orgnode-api serve -- radicle-node --force "$@"
