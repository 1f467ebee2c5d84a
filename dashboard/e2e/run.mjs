#!/usr/bin/env node
// End-to-end tests of the dashboard against the real system: starts the Simulator (fake ChatGPT), Control, the
// Edge and the dashboard's standalone server on free loopback ports, drives Debian's chromium through
// playwright-core, and writes {"passed":N,"failed":M} to --results. Screenshots go to
// <repo>/.test-results/screenshots/.
//
//   node e2e/run.mjs --results <file> [--screenshots <dir>] [--headed] [--grep <spec name, or text in a test's name>]...
//
// Needs: the built apps (artifacts/bin/.../MultiCodex.{Control,Edge,Simulator}.dll,
// dashboard/.next/standalone/server.js)
// and /usr/bin/chromium (apt-get install -y chromium). Exits non-zero when anything failed.
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

import { chromium } from "playwright-core"

import { startAttacker } from "./lib/attacker.mjs"
import { runTests } from "./lib/harness.mjs"
import { freePort, killNow, startStack } from "./lib/stack.mjs"
import { tests as accountTests } from "./specs/accounts.mjs"
import { tests as historyTests } from "./specs/history.mjs"
import { tests as keyTests } from "./specs/keys.mjs"
import { attackerTests } from "./specs/attacker.mjs"
import { tests as liveTests } from "./specs/live.mjs"
import { tests as meterTests } from "./specs/meters.mjs"
import { tests as poolTests } from "./specs/pool.mjs"
import { tests as renewTests } from "./specs/renew.mjs"
import { tests as screenTests } from "./specs/screens.mjs"
import { tests as signInTests } from "./specs/sign-in.mjs"
import { tests as webhookTests } from "./specs/webhooks.mjs"

// The specs take about 6 minutes on 2 busy cores, two of them the long-open Accounts page.
const OVERALL_TIMEOUT_MS = 15 * 60_000
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium"
// docs/toolchain-notes.md §2: what Debian's chromium needs to run headless as root in a container, offline.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // The attacker tests stage DNS rebinding: a page on http://rebind.test:<port> whose name resolves to the front door.
  "--host-resolver-rules=MAP rebind.test 127.0.0.1",
  // Chromium's own guard against public pages reaching local addresses would stop that page before our server sees
  // it; other browsers have none, so the server's check is what the test must prove.
  "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults",
]

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")
const { values: args } = parseArgs({
  options: {
    results: { type: "string" },
    screenshots: { type: "string", default: join(repoRoot, ".test-results", "screenshots") },
    headed: { type: "boolean", default: false },
    grep: { type: "string", multiple: true },
  },
})
const resultsFile = args.results ? resolve(args.results) : null
const logDir = join(repoRoot, ".test-results", "e2e-logs")

let stack = null
let openStack = null
let attacker = null
let browser = null

function writeResults(passed, failed) {
  if (resultsFile) {
    mkdirSync(dirname(resultsFile), { recursive: true })
    writeFileSync(resultsFile, `${JSON.stringify({ passed, failed })}\n`)
  }
}

// Whatever happens, no child outlives this process.
process.on("exit", () => killNow())
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    console.error(`e2e: ${signal}, stopping`)
    writeResults(0, 1)
    process.exit(1)
  })
}
const overall = setTimeout(() => {
  console.error(`e2e: gave up after ${OVERALL_TIMEOUT_MS / 1000}s`)
  writeResults(0, 1)
  process.exit(1)
}, OVERALL_TIMEOUT_MS)
overall.unref()

// Each test with the name of its spec (the file under specs/), so --grep can pick a whole spec.
function tagged(specs) {
  return Object.entries(specs).flatMap(([spec, tests]) => tests.map((test) => ({ ...test, spec })))
}

// --grep <text> (repeatable): the tests whose spec is <text> or whose name contains it; without it, every test. A
// spec that builds on the ones before it needs them too: --grep sign-in --grep pool.
function selected(test) {
  return !args.grep || args.grep.some((text) => test.spec === text || test.name.includes(text))
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), or set CHROMIUM_PATH.`,
    )
  }
  const started = Date.now()
  stack = await startStack({
    repoRoot,
    logDir,
    adminToken: `e2e-${randomBytes(12).toString("hex")}`,
    config: process.env.CONFIG || "release",
  })
  console.log(`e2e: stack ready at ${stack.baseUrl} in ${Date.now() - started} ms (logs in ${logDir})`)

  // playwright-core's launch gives chromium a fresh temporary profile and removes it on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: !args.headed,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  })
  // In this order: each spec builds on the pool the ones before left; live.mjs restarts Control, so it is last.
  const all = tagged({
    accounts: accountTests,
    "sign-in": signInTests,
    pool: poolTests,
    renew: renewTests,
    history: historyTests,
    keys: keyTests,
    webhooks: webhookTests,
    screens: screenTests,
    meters: meterTests,
    live: liveTests,
  })
  const main = await runTests(all.filter(selected), {
    browser,
    stack,
    screenshotDir: args.screenshots,
  })

  // A page on another origin attacks both configurations: the README's default (no ADMIN_TOKEN) and a token set.
  const attackTests = tagged({
    attacker: [
      ...attackerTests(
        "no ADMIN_TOKEN",
        () => openStack,
        () => attacker,
      ),
      ...attackerTests(
        "ADMIN_TOKEN set",
        () => stack,
        () => attacker,
      ),
    ],
  }).filter(selected)
  let attacks = { passed: 0, failed: 0 }
  if (attackTests.length > 0) {
    attacker = await startAttacker(await freePort())
    openStack = await startStack({
      repoRoot,
      logDir: join(logDir, "open"),
      adminToken: "",
      config: process.env.CONFIG || "release",
    })
    attacks = await runTests(attackTests, { browser, stack, screenshotDir: args.screenshots })
  }
  // The admin token never reaches a log line of any process (they log to logDir).
  const leaks = [logDir, join(logDir, "open")]
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.endsWith(".log"))
        .map((name) => join(dir, name)),
    )
    .filter((file) => readFileSync(file, "utf8").includes(stack.adminToken))
  if (leaks.length > 0) {
    console.log(`✖ the admin token appears in ${leaks.join(", ")}`)
  }
  return {
    passed: main.passed + attacks.passed,
    failed: main.failed + attacks.failed + (leaks.length > 0 ? 1 : 0),
  }
}

let passed = 0
let failed = 0
try {
  ;({ passed, failed } = await main())
} catch (error) {
  console.error(`e2e: ${error.message}`)
  failed = Math.max(failed, 1)
} finally {
  await browser?.close().catch(() => {})
  await attacker?.stop()
  await openStack?.stop()
  await stack?.stop()
  stack = null
  openStack = null
}
writeResults(passed, failed)
console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
