# Shared by run.sh and test.sh: how the apps are built and started. The container images use the same
# entrypoints (the published dlls and the Next.js standalone server) with the same environment variables.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${CONFIG:-release}"
APPS_DIR="$REPO_ROOT/artifacts/bin"
export NEXT_TELEMETRY_DISABLED=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log() { printf '\033[1m[multicodex]\033[0m %s\n' "$*" >&2; }

build_apps() {
  log "building Control, Edge and the Simulator ($CONFIG)"
  dotnet build "$REPO_ROOT/MultiCodex.slnx" -c "$CONFIG" -v quiet -nologo
}

# npm ci only when package-lock.json changed since the last install.
npm_install() {
  local dir="$1" stamp="$1/node_modules/.multicodex-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    log "installing npm packages in ${dir#$REPO_ROOT/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

# next build only when a source of the dashboard (or a proto) is newer than the last build.
build_dashboard() {
  local dir="$REPO_ROOT/dashboard" server="$REPO_ROOT/dashboard/.next/standalone/server.js"
  npm_install "$dir"
  if [ ! -f "$server" ] || [ -n "$(find "$dir/app" "$dir/components" "$dir/lib" "$dir/public" "$REPO_ROOT/protos" "$dir/package-lock.json" "$dir/next.config.ts" -newer "$server" -print -quit 2>/dev/null)" ]; then
    log "building the dashboard"
    (cd "$dir" && npm run --silent build)
  fi
}

host_of() { local rest="${1#*://}"; rest="${rest%%/*}"; echo "${rest%:*}"; }
port_of() { local rest="${1#*://}"; rest="${rest%%/*}"; echo "${rest##*:}"; }

STACK_PIDS=()
stop_stack() {
  trap - INT TERM EXIT
  if [ "${#STACK_PIDS[@]}" -gt 0 ]; then
    kill -TERM "${STACK_PIDS[@]}" 2>/dev/null || true
    wait "${STACK_PIDS[@]}" 2>/dev/null || true
  fi
  STACK_PIDS=()
}

# Demo mode: the built-in fake ChatGPT backend and OAuth issuer, with synthetic accounts, on SIMULATOR_URL.
start_simulator() {
  trap stop_stack INT TERM EXIT
  dotnet "$APPS_DIR/MultiCodex.Simulator/$CONFIG/MultiCodex.Simulator.dll" --demo &
  STACK_PIDS+=($!)
}

# Refuses (one line, exit 2) a port that is not a number in 1-65535 or that something already listens on, before
# anything starts: otherwise one of the three would die with a stack trace while the others wait for it.
check_port() {
  local name="$1" host="$2" port="$3"
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    log "$name: '$port' is not a port number (1-65535)"
    exit 2
  fi
  [ "$host" = "0.0.0.0" ] || [ "$host" = "localhost" ] && host=127.0.0.1
  if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    log "$name: port $port on $host is already in use by another program; stop it or choose another port"
    exit 2
  fi
}

# Waits (at most 60 s) until the URL answers 200; gives up at once, with that process's exit code, when one of
# the stack's processes has stopped (it said why).
wait_ready() {
  for _ in $(seq 1 120); do
    for pid in "${STACK_PIDS[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        local status=0
        wait "$pid" || status=$?
        stop_stack
        exit "$((status == 0 ? 1 : status))"
      fi
    done
    if node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; then
      return 0
    fi
    sleep 0.5
  done
  log "$1 did not become ready within 60 s"
  return 1
}

# Starts Control, the dashboard and the Edge in the background with the current environment.
start_stack() {
  trap stop_stack INT TERM EXIT
  dotnet "$APPS_DIR/MultiCodex.Control/$CONFIG/MultiCodex.Control.dll" &
  STACK_PIDS+=($!)
  PORT="$(port_of "$DASHBOARD_URL")" HOSTNAME="$(host_of "$DASHBOARD_URL")" node "$REPO_ROOT/dashboard/.next/standalone/server.js" &
  STACK_PIDS+=($!)
  dotnet "$APPS_DIR/MultiCodex.Edge/$CONFIG/MultiCodex.Edge.dll" &
  STACK_PIDS+=($!)
}

# Waits until any of the three stops, then stops the others.
wait_stack() {
  local status=0
  wait -n "${STACK_PIDS[@]}" || status=$?
  stop_stack
  return "$status"
}
