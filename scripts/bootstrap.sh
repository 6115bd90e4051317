#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for oneclick, as root: system packages, a running Docker
# engine, npm dependencies, the locally built images; then checks the machine with `oneclick doctor`.
#   scripts/bootstrap.sh            everything, then runs the main job (certify the reference provider when present)
#   scripts/bootstrap.sh --prepare  everything but the main job (what CI needs before the tests)
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's wall time, printed at the end (also after a failure) and kept for `oneclick doctor --timings`.
timings_file=${ONECLICK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/oneclick}/setup-timings.json
began_us=${EPOCHREALTIME/./}
step_name=
step_us=0
steps_json=
step_lines=()
end_step() {
  [ -n "$step_name" ] || return 0
  local ms=$(((${EPOCHREALTIME/./} - step_us) / 1000))
  steps_json+="${steps_json:+,}{\"step\":\"${step_name//\"/\'}\",\"ms\":$ms}"
  step_lines+=("$(printf '%7d.%01d s  %s' $((ms / 1000)) $((ms % 1000 / 100)) "$step_name")")
  printf '   (%s: %d.%01d s)\n' "$step_name" $((ms / 1000)) $((ms % 1000 / 100)) >&2
  step_name=
}
step() {
  end_step
  step_name=$*
  step_us=${EPOCHREALTIME/./}
  printf '\n== %s\n' "$*" >&2
}
timings() {
  local rc=$?
  end_step
  local total=$(((${EPOCHREALTIME/./} - began_us) / 1000))
  mkdir -p "$(dirname "$timings_file")" 2>/dev/null &&
    printf '{"at":"%s","exit":%d,"totalMs":%d,"steps":[%s]}\n' "$(date -u +%FT%TZ)" "$rc" "$total" "$steps_json" >"$timings_file" || true
  printf '\n== set-up timings (%d s in all; `npx oneclick doctor --timings` shows them again)\n' $((total / 1000)) >&2
  ((${#step_lines[@]})) && printf '%s\n' "${step_lines[@]}" >&2
  return 0
}
trap timings EXIT

need_pkgs=()
command -v dockerd >/dev/null || need_pkgs+=(docker.io)
command -v iptables >/dev/null || need_pkgs+=(iptables)
command -v debootstrap >/dev/null || need_pkgs+=(debootstrap)
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
if ((${#need_pkgs[@]})); then
  step "installing ${need_pkgs[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  step "starting the Docker engine (dockerd, log: /var/log/oneclick-dockerd.log)"
  nohup dockerd >/var/log/oneclick-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "The Docker engine did not start within 60 s. Last lines of its log:" >&2
    tail -n 20 /var/log/oneclick-dockerd.log >&2 || true
    exit 1
  fi
fi
end_step
echo "docker engine $(docker version --format '{{.Server.Version}}') is up" >&2

step "installing npm dependencies (npm ci) and compiling the contracts"
npm ci --no-audit --no-fund

if [ -f harness/cli/commands/images.ts ]; then
  step "building images (cached by content; the first radicle build takes a while)"
  npx oneclick images build
fi

step "checking the machine (oneclick doctor)"
npx oneclick doctor

if [ "${1:-}" != "--prepare" ] && [ -d fixtures/providers/reference ] && [ -f harness/cli/commands/certify.ts ]; then
  step "certifying the reference provider"
  npx oneclick certify --provider fixtures/providers/reference
fi
