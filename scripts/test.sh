#!/usr/bin/env bash
# Runs every test suite (xunit, vitest, browser end-to-end, benchmark smoke) and ends with one line: "N passed, M failed".
# Installs what the tests need: npm packages (dashboard, Codex CLI, openai SDK) and, as root with apt-get,
# Debian's chromium (browser tests) and docker-compose (validates docker-compose.yml without an engine); the
# benchmark smoke installs nginx and wrk the same way (bench/run.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

RESULTS="$REPO_ROOT/.test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
PASSED=0
FAILED=0

# Adds a suite's counts; a suite that exited non-zero without reporting a failure counts as one failure.
tally() {
  local name="$1" passed="$2" failed="$3" status="$4"
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
    log "$name exited with status $status"
  fi
  log "$name: $passed passed, $failed failed"
  PASSED=$((PASSED + passed))
  FAILED=$((FAILED + failed))
}

# Chromium takes a minute to install: start it now, alongside the builds.
CHROMIUM_JOB=""
if { [ ! -x /usr/bin/chromium ] || ! command -v docker-compose >/dev/null; } && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  log "installing Debian's chromium and docker-compose in the background"
  (apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) > "$RESULTS/apt.log" 2>&1 &
  CHROMIUM_JOB=$!
fi

npm_install "$REPO_ROOT/tests/clients"
export CODEX_BIN="${CODEX_BIN:-}"
build_status=0
build_apps || build_status=$?
build_dashboard || build_status=$?
if [ "$build_status" -ne 0 ]; then
  tally build 0 1 "$build_status"
fi

# The deployment tests use docker-compose and the browser tests chromium: let the install finish first.
if [ -n "$CHROMIUM_JOB" ]; then
  wait "$CHROMIUM_JOB" || { log "apt-get install failed:"; tail -5 "$RESULTS/apt.log" >&2; }
fi

# 1. xunit, every test project, real servers on loopback.
dotnet test "$REPO_ROOT/MultiCodex.slnx" -c "$CONFIG" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$RESULTS/dotnet" -- RunConfiguration.TestSessionTimeout=2400000
status=$?
read -r p f < <(cat "$RESULTS"/dotnet/*.trx 2>/dev/null | grep -o '<Counters [^>]*' |
  sed -E 's/.* passed="([0-9]+)".* failed="([0-9]+)".*/\1 \2/' | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
tally xunit "$p" "$f" "$status"

# 2. vitest: the dashboard's components and logic.
(cd dashboard && npx vitest run --reporter=default --reporter=json --outputFile="$RESULTS/vitest.json")
status=$?
read -r p f < <(node -e 'try{const r=require(process.argv[1]);console.log(r.numPassedTests,r.numFailedTests)}catch{console.log(0,0)}' "$RESULTS/vitest.json")
tally vitest "$p" "$f" "$status"

# 3. Browser end-to-end: Debian's chromium driven by playwright-core against the running stack.
(cd dashboard && node e2e/run.mjs --results "$RESULTS/e2e.json") 2>&1 | tee "$RESULTS/e2e.log"
status=${PIPESTATUS[0]}
read -r p f < <(node -e 'try{const r=require(process.argv[1]);console.log(r.passed,r.failed)}catch{console.log(0,0)}' "$RESULTS/e2e.json")
tally e2e "$p" "$f" "$status"

# 4. Benchmark smoke: the Edge and nginx in front of the same fake upstream; every route answers correctly (no timing).
./bench/run.sh --smoke 2>&1 | tee "$RESULTS/bench-smoke.log"
status=${PIPESTATUS[0]}
read -r p f < <(sed -nE 's/^bench smoke: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$RESULTS/bench-smoke.log" | tail -1)
tally "bench smoke" "${p:-0}" "${f:-0}" "$status"

# CI shows only the end of this output: name every failed test here, just above the total.
if [ "$FAILED" -ne 0 ]; then
  echo "Failed:"
  node -e '
    const fs = require("fs"), dir = process.argv[1]
    for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".trx")) : []) {
      const trx = fs.readFileSync(`${dir}/${file}`, "utf8")
      for (const [block] of trx.matchAll(/<UnitTestResult [^>]*outcome="Failed"[\s\S]*?<\/UnitTestResult>/g)) {
        const message = (block.match(/<Message>([\s\S]*?)<\/Message>/)?.[1] ?? "").split("\n").slice(0, 3).join(" / ")
        console.log(`  xunit  ${block.match(/testName="([^"]*)"/)[1]}: ${message.slice(0, 400)}`)
      }
    }' "$RESULTS/dotnet"
  node -e 'try{for(const f of require(process.argv[1]).testResults)for(const a of f.assertionResults)if(a.status==="failed")console.log("  vitest  "+a.fullName)}catch{}' "$RESULTS/vitest.json"
  grep -h '^\s*✖' "$RESULTS/e2e.log" 2>/dev/null | sed -E 's/^\s*/  e2e  /'
  grep -h '^  FAIL  ' "$RESULTS/bench-smoke.log" 2>/dev/null | sed -E 's/^  FAIL  /  bench  /'
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
