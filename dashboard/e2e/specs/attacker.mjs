// A page on another origin attacks the admin API through the operator's own browser, in the README's default
// configuration (no ADMIN_TOKEN) and with a token: form posts, fetch in no-cors and cors mode, gRPC-Web, reading the
// export route, framing the dashboard, and a DNS-rebinding page (Chromium maps rebind.test to 127.0.0.1). Nothing may
// be read or changed: afterwards the admin API (asked by the test itself) shows the same accounts and no new key.
import assert from "node:assert/strict"

import { rebindingPage } from "../lib/attacker.mjs"
import { createAccount } from "../lib/tokens.mjs"

async function admin(stack, path) {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    headers: stack.adminToken ? { "x-admin-token": stack.adminToken } : {},
    signal: AbortSignal.timeout(10_000),
  })
  assert.equal(response.status, 200, `${path}: ${response.status}`)
  return response.json()
}

// What a page could change: which accounts exist and their settings, and the keys. (Usage and sign-in state move by
// themselves: Control probes new accounts at once.)
async function snapshot(stack) {
  const { accounts } = await admin(stack, "/admin/accounts")
  const { apiKeys = [] } = await admin(stack, "/admin/api-keys")
  return {
    accounts: accounts.map(({ id, email, label, priority, enabled }) => ({
      id,
      email,
      label,
      priority,
      enabled,
    })),
    keys: apiKeys.map(({ id, name }) => ({ id, name })),
  }
}

/** The tests for one stack; `label` names its configuration. */
export function attackerTests(label, getStack, attacker) {
  let account
  return [
    {
      name: `${label}: a page on another origin can neither read nor change anything`,
      async run({ page, allowConsoleErrors }) {
        const stack = getStack()
        // The attacker's own page logs the refusals (CORS, 403, frame): they are the point.
        allowConsoleErrors(
          new RegExp(`${attacker().url}|Access-Control|CORS|blocked|Failed to load resource|frame`),
        )
        account ??= await createAccount(stack, {
          email: `victim-${label.replace(/\W/g, "")}@example.com`,
          plan: "plus",
        })
        const before = await snapshot(stack)

        await page.goto(
          `${attacker().url}/attack?target=${encodeURIComponent(stack.baseUrl)}&account=${account.id}`,
        )
        const results = await page.evaluate(() => globalThis.attack)

        for (const [name, result] of Object.entries(results)) {
          const text = JSON.stringify(result)
          assert.doesNotMatch(
            text,
            /refresh|accessToken|access_token|multicodex_edge|"accounts"/,
            `${name} read something: ${text}`,
          )
        }
        assert.match(results["cors read of the export"].blocked ?? "", /TypeError/, "the export was readable")
        assert.match(
          results["gRPC-Web call creates a key"].blocked ?? "",
          /TypeError/,
          "gRPC-Web went through",
        )
        assert.deepEqual(await snapshot(stack), before, "the admin state changed")
      },
    },
    {
      name: `${label}: a rebinding page reaches the front door and is refused by its host name`,
      async run({ page, allowConsoleErrors }) {
        const stack = getStack()
        allowConsoleErrors(/rebind\.test/)
        account ??= await createAccount(stack, {
          email: `victim-${label.replace(/\W/g, "")}@example.com`,
          plan: "plus",
        })
        const before = await snapshot(stack)
        const origin = `http://rebind.test:${new URL(stack.baseUrl).port}`
        // Served by the attacker before the name is re-pointed; everything after goes to the network, to 127.0.0.1.
        await page.route(`${origin}/attack`, (route) =>
          route.fulfill({ status: 200, contentType: "text/html", body: rebindingPage(account.id) }),
        )

        await page.goto(`${origin}/attack`)
        const results = await page.evaluate(() => globalThis.attack)

        for (const [name, result] of Object.entries(results)) {
          assert.equal(result.status, 400, `${name}: the front door answered ${JSON.stringify(result)}`)
          assert.match(result.body, /Invalid Hostname/, `${name}: ${result.body}`)
        }
        assert.deepEqual(await snapshot(stack), before, "the admin state changed")
      },
    },
    {
      name: `${label}: the dashboard cannot be framed by another page`,
      async run({ page, allowConsoleErrors }) {
        const stack = getStack()
        allowConsoleErrors(/./)
        await page.goto(`${attacker().url}/frame?target=${encodeURIComponent(stack.baseUrl)}`)
        const frame = page.frameLocator("#victim")
        const framed = await frame
          .locator("body")
          .textContent({ timeout: 5_000 })
          .catch(() => "")
        assert.doesNotMatch(
          framed ?? "",
          /MultiCodex|Sign in|Accounts/,
          "the dashboard rendered inside another page",
        )
      },
    },
  ]
}
