// Adding accounts through the dashboard against the Simulator (the fake ChatGPT and OAuth issuer): the seed's
// browser flow with a pasted redirect URL, and the device-code flow that Control completes by itself. An Accounts
// tab stays open beside the add-account tab, to show each new card arriving live.
import assert from "node:assert/strict"

import { DEMO, card, openSignedIn, signInWithOAuth } from "../lib/ui.mjs"

export const tests = [
  {
    name: "OAuth: Start OAuth, sign in on the new tab, paste the redirected URL, and the card appears live",
    async run({ page, stack, screenshot, allowConsoleErrors }) {
      await openSignedIn(page, stack, "/accounts")
      await page.getByText("No accounts yet").waitFor()
      await page.getByTestId("live-indicator").filter({ hasText: "Live" }).waitFor()

      const add = await page.context().newPage()
      await add.goto("/accounts/add")
      await screenshot("add-account", add)
      await signInWithOAuth(add, stack, DEMO.alice, {
        allowConsoleErrors,
        onPasted: () => screenshot("add-account-pasted", add),
      })
      // The add page shows the flow's status and the new account.
      const status = add.getByTestId("flow-status")
      assert.equal(await status.getAttribute("data-state"), "completed")
      await card(add, DEMO.alice).waitFor()
      await screenshot("add-account-completed", add)

      // The Accounts tab was never reloaded.
      const alice = card(page, DEMO.alice)
      await alice.waitFor()
      assert.equal(await alice.getByTestId("account-plan").textContent(), "Plus")
      assert.equal(await alice.getByTestId("account-state").textContent(), "Active")
    },
  },
  {
    name: "device code: Start device sign-in, approve the code on the Simulator, and the card appears by itself",
    async run({ page, stack, screenshot }) {
      await openSignedIn(page, stack, "/accounts")
      await card(page, DEMO.alice).waitFor()

      const add = await page.context().newPage()
      await add.goto("/accounts/add")
      await add.getByRole("tab", { name: "Device code" }).click()
      const panel = add.getByRole("tabpanel", { name: "Device code" })
      await panel.getByLabel("Email").fill(DEMO.bob)
      await panel.getByRole("button", { name: "Start device sign-in" }).click()
      const code = (await panel.getByTestId("user-code").textContent()).trim()
      assert.match(code, /^[A-Z0-9]{4,}-?[A-Z0-9]{4,}$/i, `user code: ${code}`)
      await panel.getByText("Waiting for you to approve the code").waitFor()
      await screenshot("add-account-device", add)

      // The verification link opens the Simulator's device page; approve the code there as bob.
      const [device] = await Promise.all([
        add.context().waitForEvent("page"),
        panel.getByRole("link", { name: /\/codex\/device/ }).click(),
      ])
      await device.waitForLoadState("domcontentloaded")
      await device.getByLabel("Code").fill(code)
      await device.getByLabel("Email").fill(DEMO.bob)
      await device.getByRole("button", { name: "Continue" }).click()
      await device.getByText(/Device approved/).waitFor()
      await device.close()

      // Control polls the issuer (every 5 s here) and completes the flow; the page polls GetOAuthFlow.
      await panel.getByText(`Signed in as ${DEMO.bob}`).waitFor({ timeout: 25_000 })
      const bob = card(page, DEMO.bob)
      await bob.waitFor()
      assert.equal(await bob.getByTestId("account-plan").textContent(), "Pro")
    },
  },
]
