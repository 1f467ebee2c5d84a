#!/usr/bin/env bash
# Runs the whole system locally: Control, the dashboard and the Edge (the front door, port 4010), data in ./data.
# Ctrl-C stops all three. Every setting is an environment variable (README.md lists them).
#   --demo   also runs the built-in fake ChatGPT backend with a few synthetic accounts (data in ./data/demo, the
#            fake's own accounts and tokens in ./data/demo/simulator.json, so a restart keeps working), so everything
#            can be tried without a ChatGPT account. Any email can sign in through the fake; it creates the account.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DEMO="${DEMO:-0}"
[ "${1:-}" = "--demo" ] && DEMO=1
if [ "$DEMO" = 1 ]; then
  export SIMULATOR_URL="${SIMULATOR_URL:-http://127.0.0.1:4019}"
  export DATA_DIR="${DATA_DIR:-$PWD/data/demo}"
  export CHATGPT_BASE_URL="$SIMULATOR_URL/backend-api" OAUTH_ISSUER="$SIMULATOR_URL"
  export SIMULATOR_STATE_FILE="${SIMULATOR_STATE_FILE:-$DATA_DIR/simulator.json}"
fi
export DATA_DIR="${DATA_DIR:-$PWD/data}"
export PORT="${PORT:-4010}"
export CONTROL_URL="${CONTROL_URL:-http://127.0.0.1:4011}"
export DASHBOARD_URL="${DASHBOARD_URL:-http://127.0.0.1:4012}"

check_port PORT "${HOST:-127.0.0.1}" "$PORT"
check_port CONTROL_URL "$(host_of "$CONTROL_URL")" "$(port_of "$CONTROL_URL")"
check_port DASHBOARD_URL "$(host_of "$DASHBOARD_URL")" "$(port_of "$DASHBOARD_URL")"
[ "$DEMO" = 1 ] && check_port SIMULATOR_URL "$(host_of "$SIMULATOR_URL")" "$(port_of "$SIMULATOR_URL")"

build_apps
build_dashboard

[ "$DEMO" = 1 ] && start_simulator
start_stack
wait_ready "http://127.0.0.1:${PORT}/readyz"
if [ "$DEMO" = 1 ]; then
  node scripts/demo-sign-in.mjs "http://127.0.0.1:${PORT}" "${ADMIN_TOKEN:-}"
fi
log "MultiCodex is up: http://127.0.0.1:${PORT} (dashboard, /v1, /admin) — Ctrl-C stops it"
if [ "$DEMO" = 1 ]; then
  log "demo accounts: alice@demo.test bob@demo.test carol@demo.test erin@demo.test dana@demo.test frank@demo.test (erin reaches its limit within minutes and recovers)"
  log "any other email can sign in through the fake ChatGPT at $SIMULATOR_URL (Add account in the dashboard)"
fi
wait_stack
