// A tiny sequential test runner for the browser tests: each test gets a fresh browser context (its own
// storage), a time limit, console-error checking, and a screenshot when it fails.
import { mkdirSync, readdirSync, rmSync } from "node:fs"
import { join } from "node:path"

const TEST_TIMEOUT_MS = 45_000
const ACTION_TIMEOUT_MS = 10_000

/**
 * Runs `tests` ({ name, run(t), timeoutMs? }) one after another (45 s each unless `timeoutMs` says more). `t` offers:
 *   t.page         a new page in a new context, at the front door
 *   t.stack        the running system (baseUrl, adminToken)
 *   t.screenshot(name, page?)  a full-page PNG of t.page (or another page) into the screenshot folder
 *   t.allowConsoleErrors(regex)  for a test that expects the browser to log an error
 * Returns { passed, failed, results }.
 */
export async function runTests(tests, { browser, stack, screenshotDir, log = console.log }) {
  mkdirSync(screenshotDir, { recursive: true })
  // Failure shots from an earlier run would read as failures of this one.
  for (const file of readdirSync(screenshotDir).filter((name) => name.startsWith("failed-"))) {
    rmSync(join(screenshotDir, file))
  }
  const results = []
  for (const test of tests) {
    const started = Date.now()
    const context = await browser.newContext({
      baseURL: stack.baseUrl,
      viewport: { width: 1280, height: 800 },
    })
    context.setDefaultTimeout(ACTION_TIMEOUT_MS)
    context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS * 2)
    const consoleErrors = []
    const allowed = []
    const page = await context.newPage()
    const watch = (p) => {
      p.on("console", (message) => {
        if (message.type() === "error") {
          // Where it came from, so a test can allow the errors of a page that is not the dashboard's.
          const source = message.location()?.url || p.url()
          consoleErrors.push(`console.error: ${message.text()} (${source})`)
        }
      })
      p.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`))
    }
    watch(page)
    context.on("page", watch)

    const t = {
      page,
      stack,
      screenshot: (name, target = page) => screenshotWhole(target, join(screenshotDir, `${name}.png`)),
      allowConsoleErrors: (pattern) => allowed.push(pattern),
    }

    let error = null
    let timer
    try {
      await Promise.race([
        test.run(t),
        new Promise((_, reject) => {
          const limit = test.timeoutMs ?? TEST_TIMEOUT_MS
          timer = setTimeout(() => reject(new Error(`timed out after ${limit / 1000}s`)), limit)
        }),
      ])
      const unexpected = consoleErrors.filter((text) => !allowed.some((pattern) => pattern.test(text)))
      if (unexpected.length > 0) {
        throw new Error(`the page logged errors:\n  ${unexpected.join("\n  ")}`)
      }
    } catch (e) {
      error = e
      await page
        .screenshot({
          path: join(screenshotDir, `failed-${slug(test.name)}.png`),
          fullPage: true,
          timeout: 5_000,
        })
        .catch(() => {})
    } finally {
      clearTimeout(timer)
      await context.close().catch(() => {})
    }

    const ms = Date.now() - started
    results.push({ name: test.name, ok: !error, ms, error: error?.message })
    log(error ? `✖ ${test.name} (${ms} ms)\n    ${indent(error.message)}` : `✔ ${test.name} (${ms} ms)`)
  }
  const passed = results.filter((r) => r.ok).length
  return { passed, failed: results.length - passed, results }
}

/**
 * A PNG of the whole page: the viewport grows to the page's height first, so that fixed parts (the sidebar) are
 * drawn along all of it, as a taller screen would show them (a fullPage capture draws them only at the top).
 */
async function screenshotWhole(page, path) {
  const size = page.viewportSize()
  const height = await page.evaluate(() => document.documentElement.scrollHeight)
  if (size && height > size.height) {
    await page.setViewportSize({ width: size.width, height })
  }
  try {
    await page.screenshot({ path, animations: "disabled" })
  } finally {
    if (size && height > size.height) {
      await page.setViewportSize(size)
    }
  }
}

function slug(name) {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
}

function indent(text) {
  return String(text).split("\n").join("\n    ")
}
