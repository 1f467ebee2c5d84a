#!/usr/bin/env bash
# Runs the whole system locally: Control, the dashboard and the Edge (the front door, port 4010), data in ./data.
# Ctrl-C stops all three. Every setting is an environment variable (README.md lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

export DATA_DIR="${DATA_DIR:-$PWD/data}"
export PORT="${PORT:-4010}"
export CONTROL_URL="${CONTROL_URL:-http://127.0.0.1:4011}"
export DASHBOARD_URL="${DASHBOARD_URL:-http://127.0.0.1:4012}"

build_apps
build_dashboard

start_stack
echo "MultiCodex is up: http://127.0.0.1:${PORT} (Ctrl-C stops it)"
wait_stack
