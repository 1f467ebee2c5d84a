// The pool at a glance when nothing can serve (the red banner tells what clients get, and /v1 agrees), and every
// page at desktop and phone width, in light and dark, as screenshots named page-width-theme. At phone width no
// page may be wider than the screen. Runs after renew.mjs (alice, bob and erin are in the pool).
import assert from "node:assert/strict"

import { DEMO, admin, card, openSignedIn, respondUntilQuota, setEnabled } from "../lib/ui.mjs"

const WIDTHS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
}

/** Each page, and what shows once it has its data. */
const PAGES = [
  { name: "accounts", path: "/accounts", ready: (page) => card(page, DEMO.bob).waitFor() },
  {
    name: "accounts-table",
    path: "/accounts",
    ready: async (page) => {
      await page.getByRole("button", { name: "Table", exact: true }).click()
      await page.getByTestId("account-row").first().waitFor()
    },
    after: (page) => page.getByRole("button", { name: "Cards", exact: true }).click(),
  },
  {
    name: "add-account",
    path: "/accounts/add",
    ready: (page) => page.getByRole("button", { name: "Start OAuth" }).waitFor(),
  },
  {
    name: "api-keys",
    path: "/api-keys",
    ready: (page) => page.getByText("No API keys: /v1 is open").waitFor(),
  },
  { name: "requests", path: "/requests", ready: (page) => page.getByTestId("request-row").first().waitFor() },
]

export const tests = [
  {
    name: "when every enabled account is blocked, a red banner says clients get 429 until the first reset, and /v1 agrees",
    timeoutMs: 60_000,
    async run({ page, stack, screenshot }) {
      await openSignedIn(page, stack, "/accounts")
      // erin (the demo's hot account) is the only enabled one; real requests meet her quota and block her.
      await setEnabled(page, DEMO.alice, false)
      await setEnabled(page, DEMO.bob, false)
      const first = await respondUntilQuota(stack)
      assert.equal(first.status, 429, `${first.status} ${first.body}`)

      const banner = page.getByTestId("pool-banner")
      await banner.waitFor()
      const text = await banner.textContent()
      assert.match(
        text,
        new RegExp(`^Clients get 429 until (?:[A-Z][a-z]{2} \\d{1,2}, )?\\d\\d:\\d\\d; ${DEMO.erin.replace(".", "\\.")} resets first\\.`),
      )
      await page.getByTestId("pool-summary").getByText("0 of 3").waitFor()
      await screenshot("accounts-all-blocked")

      // What the banner says is what a client gets now.
      const again = await fetch(`${stack.baseUrl}/v1/responses`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-5.5", input: "hi" }),
        signal: AbortSignal.timeout(20_000),
      })
      assert.equal(again.status, 429)
      assert.ok(Number(again.headers.get("retry-after")) > 0, "Retry-After names the wait")

      await card(page, DEMO.erin).getByRole("button", { name: "Unblock" }).click()
      await setEnabled(page, DEMO.alice, true)
      await setEnabled(page, DEMO.bob, true)
      await banner.waitFor({ state: "detached" })
    },
  },
  {
    name: "screenshots: every page at desktop and phone width, light and dark; nothing wider than a phone",
    timeoutMs: 150_000,
    async run({ page, stack, screenshot }) {
      // A fresh sample for every account, so the cards show ages, not "stale".
      await admin(stack, "/admin/usage/refresh", { method: "POST", body: {} })
      await openSignedIn(page, stack, "/accounts")
      for (const theme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme: theme })
        for (const [width, size] of Object.entries(WIDTHS)) {
          await page.setViewportSize(size)
          for (const shot of PAGES) {
            await page.goto(shot.path)
            await shot.ready(page)
            if (width === "phone") {
              const overflow = await page.evaluate(
                () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
              )
              assert.ok(overflow <= 0, `${shot.name} is ${overflow}px wider than a ${size.width}px screen`)
            }
            await screenshot(`${shot.name}-${width}-${theme}`)
            await shot.after?.(page)
          }
        }
      }
      // The sign-in screen, as a first visit sees it.
      await page.evaluate(() => localStorage.clear())
      for (const theme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme: theme })
        for (const [width, size] of Object.entries(WIDTHS)) {
          await page.setViewportSize(size)
          await page.goto("/accounts")
          await page.getByRole("heading", { name: "Sign in" }).waitFor()
          await screenshot(`sign-in-${width}-${theme}`)
        }
      }
    },
  },
]
