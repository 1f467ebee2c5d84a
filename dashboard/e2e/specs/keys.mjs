// A key with limits, end to end: created in the dashboard with a daily request budget, used up through /v1 (the
// refusal is a 429 key_budget_exceeded with Retry-After), the API-keys page shows the budget spent and the key's
// requests; raising the budget in the Limits dialog lets the key through again. Runs after history.mjs (alice, bob
// and erin serve); revokes its key at the end, so /v1 is open again for the specs after it.
import assert from "node:assert/strict"

import { admin, openSignedIn, respond, until } from "../lib/ui.mjs"

const NAME = "e2e budget"

export const tests = [
  {
    name: "a key created with a daily budget of 2 is refused its third request (429 key_budget_exceeded), and the API-keys page shows 2 / 2 spent",
    timeoutMs: 90_000,
    async run({ page, stack, screenshot }) {
      await openSignedIn(page, stack, "/api-keys")
      await page.getByLabel("Key name").fill(NAME)
      await page.getByRole("button", { name: "Limits" }).click()
      await page.getByLabel("Requests per day").fill("2")
      await screenshot("api-key-create-limits")
      await page.getByRole("button", { name: "Create key" }).click()
      const dialog = page.getByRole("dialog", { name: `Key “${NAME}” created` })
      const secret = await dialog.getByRole("textbox", { name: "API key secret" }).inputValue()
      await dialog.getByRole("button", { name: "Done" }).click()
      await dialog.waitFor({ state: "detached" })
      try {
        await spendAndLook({ page, stack, screenshot, secret })
      } finally {
        const { apiKeys = [] } = await admin(stack, "/admin/api-keys")
        for (const key of apiKeys.filter((k) => k.name === NAME)) {
          await admin(stack, `/admin/api-keys/${key.id}`, { method: "DELETE" })
        }
        await until("/v1 open again", async () => (await respond(stack)).status !== 401)
      }
    },
  },
]

async function spendAndLook({ page, stack, screenshot, secret }) {
  const row = page.getByTestId("api-key-row").filter({ hasText: NAME })
  const budget = row.getByTestId("key-budget")
  assert.equal(await budget.textContent(), "0 / 2 requests today (UTC)")

  // The key (and its budget) reaches the Edge with Control's next push: /v1 then asks for a key.
  await until("/v1 to require a key", async () => (await respond(stack)).status === 401)
  for (const n of [1, 2]) {
    const answer = await respond(stack, { key: secret })
    assert.equal(answer.status, 200, `request ${n}: ${answer.body}`)
  }
  const refused = await fetch(`${stack.baseUrl}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
    body: JSON.stringify({ model: "gpt-5.5", input: "hi" }),
    signal: AbortSignal.timeout(20_000),
  })
  const error = (await refused.json()).error
  assert.equal(refused.status, 429)
  assert.equal(error.code, "key_budget_exceeded")
  assert.match(error.message, /daily request budget \(2 requests per day, UTC\)/)
  assert.ok(
    Number(refused.headers.get("retry-after")) > 0,
    `Retry-After: ${refused.headers.get("retry-after")}`,
  )

  // The Edge reports within a moment; the page shows what Control counted, and the key's three requests, one refused.
  await until(
    "the budget shown spent",
    async () => {
      await page.reload()
      await budget.waitFor()
      return (await budget.textContent()).startsWith("2 / 2 requests today (UTC) · spent until")
    },
    20_000,
  )
  await until("the key's requests", async () => {
    await page.reload()
    await budget.waitFor()
    return (await row.getByTestId("key-requests").textContent()) === "3"
  })
  assert.equal(await row.getByTestId("key-errors").textContent(), "1")
  // The widest row there is (a spent budget with its reset time) fits a 1280×800 window: no horizontal scrolling,
  // neither of the page nor of the table in its card. Narrower, the table scrolls in its card, never the page.
  for (const [size, tableMayScroll] of [
    [{ width: 1280, height: 800 }, false],
    [{ width: 1024, height: 768 }, true],
  ]) {
    await page.setViewportSize(size)
    const overflow = await horizontalOverflow(page)
    assert.ok(
      overflow.page <= 0,
      `the API-keys page is ${overflow.page}px wider than a ${size.width}px window`,
    )
    if (!tableMayScroll) {
      assert.ok(
        overflow.table <= 0,
        `the API-keys table scrolls ${overflow.table}px sideways at ${size.width}px`,
      )
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 })
  await screenshot("api-keys-budget-spent")

  // Raised to 3 in the Limits dialog, the key gets one more request today.
  await row.getByRole("button", { name: `Limits of ${NAME}` }).click()
  const limits = page.getByRole("dialog", { name: `Limits of “${NAME}”` })
  assert.equal(await limits.getByLabel("Requests per day").inputValue(), "2")
  await limits.getByLabel("Requests per day").fill("3")
  await limits.getByRole("button", { name: "Save limits" }).click()
  await limits.waitFor({ state: "detached" })
  await until("the budget raised on the page", async () =>
    (await budget.textContent()).startsWith("2 / 3 requests"),
  )
  const again = await until("the Edge to apply the raised budget", async () => {
    const answer = await respond(stack, { key: secret })
    return answer.status === 200 ? answer : null
  })
  assert.equal(again.status, 200)
}

/** How many pixels the page and the API-keys table are wider than what shows of them (0 or less: no scrolling). */
async function horizontalOverflow(page) {
  const table = page.getByRole("table", { name: "API keys" })
  await table.waitFor()
  return {
    page: await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    ),
    table: await table.evaluate((element) => {
      const container = element.closest("[data-slot=table-container]")
      return container.scrollWidth - container.clientWidth
    }),
  }
}
