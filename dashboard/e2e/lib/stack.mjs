// Starts the fake ChatGPT (the Simulator, with its demo accounts), Control, the Edge and the dashboard's
// standalone server as child processes on free loopback ports, waits until they answer, and stops them again:
// every wait is bounded, every child is killed. Nothing leaves this machine: the upstream is the Simulator.
import { spawn } from "node:child_process"
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"

const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 5_000

// Every child started and not yet exited, and every temp folder, so that `killNow` finds them even when a
// signal arrives while the stack is still starting.
const live = new Set()
const tempDirs = new Set()

/** A port the kernel just handed out on 127.0.0.1 (closed again, so a child can bind it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * The running system: `baseUrl` is the Edge (the front door), `adminToken` the token Control requires,
 * `simulatorUrl` the fake ChatGPT (OAuth issuer and backend).
 * `stop()` is idempotent and safe to call from signal handlers.
 */
export async function startStack({ repoRoot, logDir, adminToken, config = "release" }) {
  const paths = {
    control: join(repoRoot, "artifacts", "bin", "MultiCodex.Control", config, "MultiCodex.Control.dll"),
    edge: join(repoRoot, "artifacts", "bin", "MultiCodex.Edge", config, "MultiCodex.Edge.dll"),
    simulator: join(repoRoot, "artifacts", "bin", "MultiCodex.Simulator", config, "MultiCodex.Simulator.dll"),
    dashboard: join(repoRoot, "dashboard", ".next", "standalone", "server.js"),
  }
  const missing = Object.entries(paths).filter(([, path]) => !existsSync(path))
  if (missing.length > 0) {
    throw new Error(
      `cannot start the stack, missing: ${missing.map(([name, path]) => `${name} (${path})`).join(", ")}. ` +
        `Build first: dotnet build MultiCodex.slnx -c ${config}, and npm run build in dashboard/ (scripts/test.sh does both).`,
    )
  }

  mkdirSync(logDir, { recursive: true })
  const dataDir = mkdtempSync(join(tmpdir(), "multicodex-e2e-data-"))
  tempDirs.add(dataDir)
  const [controlPort, edgePort, dashboardPort, simulatorPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ])
  const controlUrl = `http://127.0.0.1:${controlPort}`
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`
  const baseUrl = `http://127.0.0.1:${edgePort}`
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`

  // The caller's environment minus what would point the apps elsewhere; then this run's settings.
  const inherited = { ...process.env }
  for (const name of [
    "ASPNETCORE_URLS",
    "ASPNETCORE_HTTP_PORTS",
    "DOTNET_URLS",
    "DATA_DIR",
    "DASHBOARD_URL",
  ]) {
    delete inherited[name]
  }
  const common = {
    ...inherited,
    DOTNET_CLI_TELEMETRY_OPTOUT: "1",
    DOTNET_NOLOGO: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    ADMIN_TOKEN: adminToken,
    CONTROL_URL: controlUrl,
  }
  const children = []
  const stack = {
    baseUrl,
    adminToken,
    simulatorUrl,
    dataDir,
    children,
    stop: () => stopAll(children, dataDir),
    /** Stops one child (by name) and starts it again as it was, for tests of what survives a restart. */
    restart: async (name) => {
      const index = children.findIndex((entry) => entry.name === name)
      const old = children[index]
      await stopAll([old])
      children[index] = launch(old.name, old.command, old.args, logDir, old.env, { append: true })
    },
  }

  try {
    // The fake ChatGPT first: Control probes usage and the Edge forwards /v1 to it as soon as they run.
    children.push(
      launch("simulator", "dotnet", [paths.simulator, "--demo"], logDir, {
        ...common,
        SIMULATOR_URL: simulatorUrl,
      }),
    )
    await waitUntil("the simulator", children, () =>
      answers(`${simulatorUrl}/codex/device`, (s) => s === 200),
    )
    children.push(
      launch("control", "dotnet", [paths.control], logDir, {
        ...common,
        DATA_DIR: dataDir,
        CHATGPT_BASE_URL: `${simulatorUrl}/backend-api`,
        OAUTH_ISSUER: simulatorUrl,
      }),
    )
    children.push(
      launch("dashboard", process.execPath, [paths.dashboard], logDir, {
        ...common,
        PORT: String(dashboardPort),
        HOSTNAME: "127.0.0.1",
        NODE_ENV: "production",
      }),
    )
    children.push(
      launch("edge", "dotnet", [paths.edge], logDir, {
        ...common,
        PORT: String(edgePort),
        HOST: "127.0.0.1",
        DASHBOARD_URL: dashboardUrl,
        CHATGPT_BASE_URL: `${simulatorUrl}/backend-api`,
      }),
    )
    await Promise.all([
      waitUntil("the Edge's /readyz (Edge and Control)", children, () =>
        answers(`${baseUrl}/readyz`, (s) => s === 200),
      ),
      waitUntil("the dashboard server", children, () => answers(`${dashboardUrl}/accounts`, (s) => s < 500)),
    ])
  } catch (error) {
    await stack.stop()
    throw error
  }
  return stack
}

function launch(name, command, args, logDir, env, { append = false } = {}) {
  const logPath = join(logDir, `${name}.log`)
  const log = createWriteStream(logPath, { flags: append ? "a" : "w" })
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] })
  child.stdout.pipe(log, { end: false })
  child.stderr.pipe(log, { end: false })
  const entry = { name, command, args, env, child, logPath, exit: null }
  live.add(entry)
  entry.exited = new Promise((resolve) => {
    const done = (exit) => {
      entry.exit ??= exit
      live.delete(entry)
      resolve(entry.exit)
    }
    child.on("exit", (code, signal) => done({ code, signal }))
    child.on("error", (error) => done({ code: null, signal: null, error }))
  })
  entry.exited.then(() => log.end())
  return entry
}

async function answers(url, ok) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3_000), redirect: "manual" })
    await response.body?.cancel()
    return ok(response.status)
  } catch {
    return false
  }
}

/** Polls `probe` until it is true, failing early (with the log) when a child dies, and after the timeout. */
async function waitUntil(what, children, probe, timeoutMs = READY_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const dead = children.find((entry) => entry.exit)
    if (dead) {
      const { code, signal, error } = dead.exit
      throw new Error(
        `${dead.name} exited (${error?.message ?? `code ${code}, signal ${signal}`}) while waiting for ${what}.\n` +
          tail(dead.logPath),
      )
    }
    if (await probe()) {
      return
    }
    await sleep(250)
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000}s waiting for ${what}.\n` +
      children.map((entry) => tail(entry.logPath)).join("\n"),
  )
}

export function tail(logPath, lines = 25) {
  try {
    const text = readFileSync(logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
    return `--- last lines of ${logPath} ---\n${text}`
  } catch {
    return `--- ${logPath}: no output ---`
  }
}

async function stopAll(children, dataDir = null) {
  await Promise.all(
    children.map(async (entry) => {
      if (entry.exit) {
        return
      }
      entry.child.kill("SIGTERM")
      const stopped = await Promise.race([entry.exited, sleep(STOP_TIMEOUT_MS).then(() => false)])
      if (!stopped) {
        entry.child.kill("SIGKILL")
        await Promise.race([entry.exited, sleep(STOP_TIMEOUT_MS)])
      }
    }),
  )
  if (dataDir) {
    rmSync(dataDir, { recursive: true, force: true })
    tempDirs.delete(dataDir)
  }
}

/** Kills every child still running and removes the temp folders, synchronously: for process exit and signals. */
export function killNow() {
  for (const entry of live) {
    entry.child.kill("SIGKILL")
  }
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true })
  }
}
