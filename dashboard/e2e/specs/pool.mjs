// The pool at work, through the Edge's /v1 and the Simulator: a quota error blocks an account live and Unblock
// clears it; the Requests page lists what happened; an API key closes /v1 and revoking it opens it again.
// Runs after sign-in.mjs (alice and bob are in the pool).
import assert from "node:assert/strict"

import {
  DEMO,
  accountByEmail,
  admin,
  card,
  openSignedIn,
  respond,
  respondUntilQuota,
  setEnabled,
  signInWithOAuth,
  until,
} from "../lib/ui.mjs"

async function models(stack, key) {
  const response = await fetch(`${stack.baseUrl}/v1/models`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
    signal: AbortSignal.timeout(10_000),
  })
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: await response.text(),
  }
}

export const tests = [
  {
    name: "a quota error blocks erin live (Blocked until …), and Unblock makes her Active again",
    async run({ page, stack, screenshot, allowConsoleErrors }) {
      await openSignedIn(page, stack, "/accounts")
      const add = await page.context().newPage()
      await add.goto("/accounts/add")
      await signInWithOAuth(add, stack, DEMO.erin, { allowConsoleErrors })
      await add.close()

      const erin = card(page, DEMO.erin)
      await erin.waitFor()
      // Control probes a new account at once, and a probe that finds a window at 100% blocks it already. Clear
      // that block, so that the block below comes from the upstream's quota error on a real request.
      await erin
        .getByText("5-hour window")
        .waitFor({ timeout: 5_000 })
        .catch(() => {})
      if (/^Blocked/.test(await erin.getByTestId("account-state").textContent())) {
        await erin.getByRole("button", { name: "Unblock" }).click()
        await until(
          "erin unblocked",
          async () => (await erin.getByTestId("account-state").textContent()) === "Active",
        )
      }
      // erin is the only eligible account: the others are switched off from their cards.
      await setEnabled(page, DEMO.alice, false)
      await setEnabled(page, DEMO.bob, false)

      const { status, body } = await respondUntilQuota(stack)
      assert.equal(status, 429, `POST /v1/responses until erin's quota runs out: ${status} ${body}`)
      assert.match(body, /"error"/)

      await until("erin's card to show the block", async () =>
        /^Blocked until /.test(await erin.getByTestId("account-state").textContent()),
      )
      // The reason in words; its code is in the tooltip.
      await erin.getByText("Usage limit reached").waitFor()
      await screenshot("accounts-blocked")

      await erin.getByRole("button", { name: "Unblock" }).click()
      await until(
        "erin Active again",
        async () => (await erin.getByTestId("account-state").textContent()) === "Active",
      )
      assert.equal(await erin.getByRole("button", { name: "Unblock" }).count(), 0)
      await setEnabled(page, DEMO.alice, true)
      await setEnabled(page, DEMO.bob, true)

      // Probe every account now, so that all have usage (and the Requests page's charts have a sample each).
      await page.getByRole("button", { name: "Refresh all usage" }).click()
      await page.getByText("Usage refreshed for 3 accounts").waitFor()
      await card(page, DEMO.alice).getByText("5-hour window").waitFor()
    },
  },
  {
    name: "the Requests page lists the quota error and a served request, with a usage chart per account",
    async run({ page, stack, screenshot }) {
      // erin is at 100%: disable her so a served request comes from alice or bob.
      await openSignedIn(page, stack, "/accounts")
      await setEnabled(page, DEMO.erin, false)
      const served = await respond(stack)
      assert.equal(served.status, 200, `POST /v1/responses: ${served.status} ${served.body}`)
      await setEnabled(page, DEMO.erin, true)

      await page.goto("/requests")
      const rows = page.getByTestId("request-row")
      await until("two requests listed", async () => (await rows.count()) >= 2)
      const blocked = rows.filter({ hasText: DEMO.erin }).filter({ hasText: "429" })
      await blocked.first().waitFor()
      assert.match(await blocked.first().textContent(), /usage_limit_reached/)
      assert.match(await blocked.first().textContent(), /gpt-5\.5/)
      const ok = rows.filter({ hasText: "200" }).first()
      await ok.waitFor()
      assert.match(await ok.textContent(), /alice@demo\.test|bob@demo\.test/)

      await until("usage charts", async () => (await page.getByTestId("usage-chart").count()) >= 3)
      await page.locator("[data-testid=usage-chart] .recharts-surface").first().waitFor()
      await screenshot("requests")
    },
  },
  {
    name: "an API key's secret is shown once; with a key /v1 needs it (401 without), and revoking removes it",
    async run({ page, stack, screenshot }) {
      await openSignedIn(page, stack, "/api-keys")
      await page.getByText("No API keys: /v1 is open").waitFor()
      await screenshot("api-keys-empty")

      await page.getByLabel("Key name").fill("e2e laptop")
      await page.getByRole("button", { name: "Create key" }).click()
      const dialog = page.getByRole("dialog", { name: "Key “e2e laptop” created" })
      const secret = await dialog.getByRole("textbox", { name: "API key secret" }).inputValue()
      assert.ok(secret.length >= 20, `secret: ${secret}`)
      await dialog.getByText("you won’t see it again").waitFor()
      await screenshot("api-key-secret")
      await dialog.getByRole("button", { name: "Done" }).click()
      await dialog.waitFor({ state: "detached" })
      assert.ok(!(await page.content()).includes(secret), "the secret is gone from the page once closed")

      const row = page.getByTestId("api-key-row").filter({ hasText: "e2e laptop" })
      await row.waitFor()
      assert.ok(secret.startsWith((await row.locator("code").textContent()).replace(/…$/, "")))
      await screenshot("api-keys")

      // Control pushes keys to the Edge: wait until /v1 asks for one.
      const refused = await until("/v1/models to require the key", async () => {
        const answer = await models(stack)
        return answer.status === 401 ? answer : null
      })
      assert.match(refused.type, /json/)
      assert.ok(JSON.parse(refused.body).error, `401 body: ${refused.body}`)
      const allowed = await models(stack, secret)
      assert.notEqual(allowed.status, 401, `with the key: ${allowed.status} ${allowed.body}`)

      await row.getByRole("button", { name: "Revoke e2e laptop" }).click()
      const confirm = page.getByRole("alertdialog", { name: "Revoke “e2e laptop”?" })
      await confirm.getByRole("button", { name: "Revoke key" }).click()
      await row.waitFor({ state: "detached" })
      await page.getByText("No API keys: /v1 is open").waitFor()
      await until("/v1 open again", async () => (await models(stack)).status !== 401)
    },
  },
  {
    name: "a card edits label and priority in a dialog, and exports auth.json as a download",
    async run({ page, stack, screenshot }) {
      await openSignedIn(page, stack, "/accounts")
      const bob = card(page, DEMO.bob)
      await bob.getByRole("button", { name: "Edit", exact: true }).click()
      const dialog = page.getByRole("dialog", { name: "Edit account" })
      await dialog.getByLabel("Label").fill("Bob (team)")
      await dialog.getByLabel("Priority").fill("2")
      await screenshot("accounts-edit-dialog")
      await dialog.getByRole("button", { name: "Save" }).click()
      await dialog.waitFor({ state: "detached" })
      await bob.getByText("Bob (team)", { exact: true }).waitFor()
      await bob.getByText("Priority 2").waitFor()

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        card(page, DEMO.alice).getByRole("button", { name: "Export", exact: true }).click(),
      ])
      assert.equal(download.suggestedFilename(), "auth-alice-demo.test.json")
      const { createReadStream } = await import("node:fs")
      let text = ""
      for await (const chunk of createReadStream(await download.path(), "utf8")) {
        text += chunk
      }
      const exported = JSON.parse(text)
      assert.ok(exported.tokens?.access_token && exported.tokens?.refresh_token, "auth.json has the tokens")
      // The same file imports back (the account is updated, not duplicated).
      await page.goto("/accounts/add")
      await page.getByRole("tab", { name: "Import auth.json" }).click()
      const panel = page.getByRole("tabpanel", { name: "Import auth.json" })
      await panel.getByLabel("auth.json contents").fill(text)
      await panel.getByRole("button", { name: "Import" }).click()
      await panel.getByText("1 of 1 imported").waitFor()
      await panel.getByText(`Updated ${DEMO.alice}`).waitFor()
      await screenshot("add-account-import")

      // What the export route answers ({"authJson": …}) pastes back as it is.
      const alice = await accountByEmail(stack, DEMO.alice)
      const answer = await admin(stack, `/admin/accounts/${alice.id}/export`)
      await panel.getByLabel("auth.json contents").fill(JSON.stringify(answer))
      await panel.getByRole("button", { name: "Import" }).click()
      await panel.getByText(`Updated ${DEMO.alice}`).waitFor()
      assert.equal(
        (await admin(stack, "/admin/accounts")).accounts.filter((a) => a.email === DEMO.alice).length,
        1,
      )
    },
  },
]
