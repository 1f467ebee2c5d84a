// Every usage shape on the Accounts page, through the real stack and the Simulator's demo accounts: carol
// (weekly-only), dana (a monthly credit budget) and frank (weekly window spent, a reserve serving gpt-5.6-luna).
// Each card shows the account's own meters, the table lists the ones beyond the two windows, and /v1 serves the
// reserve's model id from frank. Runs after screens.mjs, so the other specs' screenshots keep their three accounts.
import assert from "node:assert/strict"

import { DEMO, admin, card, openSignedIn, until } from "../lib/ui.mjs"

/** Signs a demo account in through the admin API's OAuth flow (as scripts/demo-sign-in.mjs does). */
async function signInByApi(stack, email) {
  const flow = await admin(stack, "/admin/oauth/start", { method: "POST", body: { email } })
  // The fake issuer signs the hinted account in at once and redirects with code and state.
  const authorize = await fetch(`${flow.authorizeUrl}&login_hint=${encodeURIComponent(email)}`, {
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  })
  const redirectUrl = authorize.headers.get("location")
  assert.ok(redirectUrl, `the fake issuer redirected ${email}`)
  await admin(stack, "/admin/oauth/complete", { method: "POST", body: { flowId: flow.flowId, redirectUrl } })
}

/** The kinds of the meters a card or row shows, in order. */
async function kinds(scope) {
  return scope.getByTestId("usage-meter").evaluateAll((meters) => meters.map((m) => m.dataset.kind))
}

/** POST /v1/responses for `model` with the explain header: who served it. */
async function explain(stack, model) {
  const response = await fetch(`${stack.baseUrl}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-multicodex-explain": "1" },
    body: JSON.stringify({ model, input: "hi" }),
    signal: AbortSignal.timeout(20_000),
  })
  await response.text()
  return { status: response.status, account: response.headers.get("x-multicodex-account") }
}

export const tests = [
  {
    name: "every usage shape shows its own meters: weekly-only, a credit budget, and a reserve that still serves its model",
    timeoutMs: 90_000,
    async run({ page, stack, screenshot }) {
      for (const email of [DEMO.carol, DEMO.dana, DEMO.frank]) {
        await signInByApi(stack, email)
      }
      await openSignedIn(page, stack, "/accounts")

      // Control probes a new account at once: each card fills with the meters the upstream reports for it.
      const carol = card(page, DEMO.carol)
      const dana = card(page, DEMO.dana)
      const frank = card(page, DEMO.frank)
      await until("carol's weekly meter", async () => (await kinds(carol)).join() === "weekly")
      await until("dana's credit budget", async () => (await kinds(dana)).join() === "credits")
      await until(
        "frank's weekly meter and reserve",
        async () => (await kinds(frank)).join() === "weekly,reserve",
      )
      await dana.getByText(/^\d+\.\d\d of 500\.00 credits spent$/).waitFor()
      await frank.getByText("Reserve for gpt-5.6-luna", { exact: true }).waitFor()
      await frank.getByText("Model id gpt-reserve", { exact: true }).waitFor()
      // frank's weekly window is spent (blocked on it); his reserve still serves, and says so.
      await until("frank blocked on his weekly window", async () =>
        /^Blocked until /.test(await frank.getByTestId("account-state").textContent()),
      )
      assert.equal(
        await frank.getByTestId("reserve-note").textContent(),
        "Its reserve still serves gpt-5.6-luna (model id gpt-reserve)",
      )
      assert.equal(await frank.locator('[data-kind="weekly"]').getAttribute("data-tone"), "destructive")
      assert.notEqual(await frank.locator('[data-kind="reserve"]').getAttribute("data-tone"), "destructive")
      await page.getByTestId("pool-summary").getByText("Credit budget headroom").waitFor()
      await page.getByTestId("pool-summary").getByText("Reserve headroom").waitFor()
      await screenshot("accounts-meters")

      // The reserve's own model id goes to the one account whose reserve allows it.
      const served = await until("a gpt-reserve request served", async () => {
        const answer = await explain(stack, "gpt-reserve")
        return answer.status === 200 ? answer : null
      })
      // The explain header names the account by its email.
      assert.equal(served.account, DEMO.frank)

      await page.getByRole("button", { name: "Table", exact: true }).click()
      const row = (email) => page.getByTestId("account-row").filter({ hasText: email })
      await row(DEMO.frank).waitFor()
      assert.deepEqual(await kinds(row(DEMO.dana)), ["credits"])
      assert.deepEqual(await kinds(row(DEMO.frank)), ["reserve"])
      assert.deepEqual(await kinds(row(DEMO.carol)), [])
      await row(DEMO.frank).getByTestId("reserve-note").waitFor()
      await screenshot("accounts-meters-table")
      await page.getByRole("button", { name: "Cards", exact: true }).click()
    },
  },
]
