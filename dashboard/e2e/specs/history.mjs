// The request history: a failover is ONE row on the Requests page (carol's revoked sign-in answers 401, bob
// serves), expanding to its two attempts; the account filter lives in the URL; and the history is still there after
// Control restarts. Runs after renew.mjs (alice, bob and erin are in the pool); leaves the pool as it found it.
import assert from "node:assert/strict"

import {
  DEMO,
  accountByEmail,
  admin,
  card,
  openSignedIn,
  setEnabled,
  signInWithOAuth,
  until,
} from "../lib/ui.mjs"

const CONVERSATION = "e2e-history-failover"

/** Revokes the account's grant at the Simulator (RFC 7009): its tokens stop working, its refresh is refused. */
async function revokeUpstream(stack, accountId) {
  const { authJson } = await admin(stack, `/admin/accounts/${accountId}/export`)
  const response = await fetch(`${stack.simulatorUrl}/oauth/revoke`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: JSON.parse(authJson).tokens.refresh_token }),
    signal: AbortSignal.timeout(10_000),
  })
  assert.equal(response.status, 200, await response.text())
}

/** One turn of a conversation (its prompt_cache_key keeps it on one account while that account can serve). */
async function turn(stack) {
  const response = await fetch(`${stack.baseUrl}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-5.5", input: "hi", prompt_cache_key: CONVERSATION }),
    signal: AbortSignal.timeout(20_000),
  })
  return { status: response.status, body: await response.text() }
}

export const tests = [
  {
    name: "a failover is one request on the Requests page (carol 401 → bob 200), filtered by account in the URL, and still there after a Control restart",
    timeoutMs: 120_000,
    async run({ page, stack, screenshot, allowConsoleErrors }) {
      // While Control restarts, the page's calls meet 502s from the Edge: expected here.
      allowConsoleErrors(/502|Bad Gateway|ERR_CONNECTION_RESET|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE/)
      await openSignedIn(page, stack, "/accounts")
      const add = await page.context().newPage()
      await add.goto("/accounts/add")
      await signInWithOAuth(add, stack, DEMO.carol, { allowConsoleErrors })
      await add.close()
      await card(page, DEMO.carol).waitFor()
      const carol = await accountByEmail(stack, DEMO.carol)
      const bob = await accountByEmail(stack, DEMO.bob)
      // The page names an account by its label, else its email.
      const bobName = bob.label?.trim() || DEMO.bob
      try {
        await failOverAndLook({ page, stack, screenshot, carol, bobName })
      } finally {
        // Leave the pool as the next specs expect it: alice, bob and erin, all enabled.
        await admin(stack, `/admin/accounts/${carol.id}`, { method: "DELETE" })
        await page.goto("/accounts")
        await page.getByTestId("account-card").filter({ hasText: DEMO.carol }).waitFor({ state: "detached" })
        for (const email of [DEMO.alice, DEMO.bob, DEMO.erin]) {
          await setEnabled(page, email, true)
        }
      }
    },
  },
]

async function failOverAndLook({ page, stack, screenshot, carol, bobName }) {
  // The conversation's first turn can only go to carol, which binds it to her.
  for (const email of [DEMO.alice, DEMO.bob, DEMO.erin]) {
    await setEnabled(page, email, false)
  }
  const first = await turn(stack)
  assert.equal(first.status, 200, first.body)
  assert.match(first.body, /carol@demo\.test/)
  // Then carol's sign-in is revoked: the next turn meets a 401 on her and fails over to bob.
  await setEnabled(page, DEMO.bob, true)
  await revokeUpstream(stack, carol.id)
  const second = await turn(stack)
  assert.equal(second.status, 200, second.body)
  assert.match(second.body, /bob@demo\.test/)

  await page.goto("/requests")
  const failover = page.getByTestId("request-row").filter({ hasText: "2 attempts" })
  await until("the failover listed as one request", async () => (await failover.count()) === 1, 15_000)
  const row = failover.first()
  assert.equal(
    await row.getByTestId("failover-chain").textContent(),
    `2 attempts: ${DEMO.carol} → ${bobName}`,
  )
  assert.match(await row.textContent(), /200/)
  await row.getByRole("button", { name: "Show the attempts of this request" }).click()
  const attempts = page.getByTestId("attempt")
  await until("two attempts shown", async () => (await attempts.count()) === 2)
  assert.match(await attempts.nth(0).textContent(), new RegExp(`${escape(DEMO.carol)}.*401`))
  assert.match(await attempts.nth(1).textContent(), new RegExp(`${escape(bobName)}.*200`))
  await screenshot("requests-failover")

  // The account filter is in the URL: carol's requests are her first turn and the failover.
  await page.goto(`/requests?account=${carol.id}`)
  assert.equal(await page.getByRole("combobox", { name: "Account" }).inputValue(), carol.id)
  const filtered = page.getByTestId("request-row")
  await until("carol's two requests", async () => (await filtered.count()) === 2)

  // The history is kept in DATA_DIR: after a restart of Control the same request is listed.
  await stack.restart("control")
  await until(
    "Control back",
    async () =>
      admin(stack, "/admin/requests")
        .then(() => true)
        .catch(() => false),
    30_000,
  )
  await page.goto("/requests")
  const again = page.getByTestId("request-row").filter({ hasText: "2 attempts" })
  await until("the failover listed after the restart", async () => (await again.count()) === 1, 15_000)
  assert.equal(
    await again.first().getByTestId("failover-chain").textContent(),
    `2 attempts: ${DEMO.carol} → ${bobName}`,
  )
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
}
