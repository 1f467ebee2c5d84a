#!/usr/bin/env bash
# The MultiCodex benchmark: the Edge next to nginx in front of the same fake upstream (bench/README.md).
#   ./bench/run.sh               the full benchmark (about 15 minutes); results in bench/results/latest.md
#   ./bench/run.sh --smoke       seconds: every route answers correctly; exits non-zero otherwise; no timing
#   ./bench/run.sh --profile     about 3 minutes: the Edge under dotnet-counters and dotnet-trace; bench/results/profile-latest.md
#   ./bench/run.sh --rounds 1 …  any option of bench/README.md
# Installs what it needs: nginx and wrk from Debian's packages (apt-get, as root) when missing; builds the
# release apps (Control, Edge) and the harness. Everything listens on 127.0.0.1 only; every loop is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SMOKE=0 PROFILE=0
for arg in "$@"; do
  [ "$arg" = "--smoke" ] && SMOKE=1
  [ "$arg" = "--profile" ] && PROFILE=1
done

# nginx's package must not start a system nginx on port 80: with no policy-rc.d (containers have one), put a
# temporary one in place that tells the package scripts not to start services.
install_tools() {
  local missing=()
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "missing: ${missing[*]} (install them from Debian's packages, or run this as root)"
    [ "$SMOKE" = 1 ] && return 0
    return 1
  fi
  log "installing ${missing[*]} from Debian's packages"
  local policy=/usr/sbin/policy-rc.d placed=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && placed=1
  fi
  local status=0
  { apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"; } \
    >/dev/null || status=$?
  [ "$placed" = 1 ] && rm -f "$policy"
  return "$status"
}

# The profile's tools, pinned, into artifacts/tools (never a global install), once.
DIAGNOSTICS_VERSION=10.0.750501
install_diagnostics() {
  local tool
  for tool in dotnet-counters dotnet-trace; do
    if [ ! -x "$REPO_ROOT/artifacts/tools/$tool" ]; then
      log "installing $tool $DIAGNOSTICS_VERSION into artifacts/tools"
      dotnet tool install --tool-path "$REPO_ROOT/artifacts/tools" "$tool" --version "$DIAGNOSTICS_VERSION" >/dev/null
    fi
  done
}

install_tools
[ "$PROFILE" = 1 ] && install_diagnostics
log "building Control, the Edge and the benchmark harness ($CONFIG)"
for project in src/MultiCodex.Control src/MultiCodex.Edge bench/MultiCodex.Bench; do
  dotnet build "$project" -c "$CONFIG" -v quiet -nologo -clp:NoSummary
done

# Each long stream holds sockets in the client, the proxy and the upstream (2,000 streams: ~8,000 files).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true

exec dotnet "$APPS_DIR/MultiCodex.Bench/$CONFIG/MultiCodex.Bench.dll" --repo "$REPO_ROOT" "$@"
