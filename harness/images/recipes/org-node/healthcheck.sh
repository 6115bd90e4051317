#!/usr/bin/env bash
# Healthy = radicle-node answers on its control socket (rad node status exits 0) and the HTTP API
# answers /healthz with 200.
set -euo pipefail
rad node status --only nid >/dev/null 2>&1 || { echo "radicle-node is not running" >&2; exit 1; }
listen=${ONECLICK_HTTP_LISTEN:-0.0.0.0:8080}
exec orgnode-api probe "http://127.0.0.1:${listen##*:}/healthz"
