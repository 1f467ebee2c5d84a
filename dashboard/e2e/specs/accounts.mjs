// The Accounts page through the real front door: sign-in with the admin token, empty state, and cards that follow
// accounts added and removed through the admin REST API live. The tests share one stack and run in this order;
// they leave no account behind for the sign-in tests after them.
import assert from "node:assert/strict"

import { createAccount } from "../lib/tokens.mjs"
import { card, signIn } from "../lib/ui.mjs"

const WRONG_TOKEN_MESSAGE = "Wrong x-admin-token: it does not match the server's ADMIN_TOKEN."

export const tests = [
  {
    name: "the home page asks for the admin token on a first visit",
    async run({ page, screenshot }) {
      await page.goto("/")
      await page.waitForURL("**/accounts")
      await page.getByRole("heading", { name: "Sign in" }).waitFor()
      assert.equal(await page.locator("[data-slot=alert]").count(), 0, "a first visit shows no error")
      await screenshot("sign-in")
    },
  },
  {
    name: "a wrong admin token shows a clear message and is not stored",
    async run({ page, screenshot }) {
      await page.goto("/accounts")
      await signIn(page, "not-the-token")
      await page.getByText("Admin token not accepted").waitFor()
      await page.getByText(WRONG_TOKEN_MESSAGE).waitFor()
      await screenshot("sign-in-wrong-token")
      assert.equal(await page.evaluate(() => localStorage.length), 0)
    },
  },
  {
    name: "a stored token the server refuses brings back the sign-in with the reason",
    async run({ page }) {
      await page.goto("/accounts")
      await page.evaluate(() => localStorage.setItem("multicodex.admin-token", "stale-token"))
      await page.reload()
      await page.getByText("Saved token not accepted").waitFor()
      await page.getByText(WRONG_TOKEN_MESSAGE).waitFor()
    },
  },
  {
    name: "the right token shows the empty Accounts page, and is remembered",
    async run({ page, stack, screenshot }) {
      await page.goto("/accounts")
      await signIn(page, stack.adminToken)
      await page.getByText("No accounts yet").waitFor()
      await screenshot("accounts-empty")
      await page.reload()
      await page.getByText("No accounts yet").waitFor()
      assert.equal(await page.getByRole("heading", { name: "Sign in" }).count(), 0)
    },
  },
  {
    name: "accounts added and removed elsewhere appear and vanish live, and Delete asks first, naming the account",
    async run({ page, stack, screenshot }) {
      await page.goto("/accounts")
      await signIn(page, stack.adminToken)
      await page.getByText("No accounts yet").waitFor()
      await page.getByTestId("live-indicator").filter({ hasText: "Live" }).waitFor()

      const ada = await createAccount(stack, { email: "ada@example.com", plan: "plus" })
      assert.equal(ada.email, "ada@example.com")
      await createAccount(stack, {
        email: "grace@example.com",
        plan: "pro",
        label: "Grace (team)",
        priority: 1,
      })

      // No reload and no refresh button: WatchAccounts brings both cards.
      const adaCard = card(page, "ada@example.com")
      await adaCard.waitFor()
      assert.equal(await adaCard.getByTestId("account-plan").textContent(), "Plus")
      // Control probes new accounts at once; the Simulator does not know these minted tokens, so they may turn
      // to "Re-auth required" (live, too) by the time the card is read.
      assert.match(await adaCard.getByTestId("account-state").textContent(), /^(Active|Re-auth required)$/)
      const grace = card(page, "grace@example.com")
      assert.match(await grace.textContent(), /Grace \(team\)/)
      assert.equal(await grace.getByTestId("account-plan").textContent(), "Pro")
      await page
        .getByTestId("pool-summary")
        .getByText(/^\d of 2$/)
        .waitFor()

      await grace.getByRole("button", { name: "Delete", exact: true }).click()
      const dialog = page.getByRole("alertdialog", { name: "Delete Grace (team)?" })
      await dialog.getByText("grace@example.com").waitFor()
      await screenshot("accounts-delete-dialog")
      await dialog.getByRole("button", { name: "Delete account" }).click()
      await grace.waitFor({ state: "detached" })

      // Deleted through the admin API: the card goes by itself too.
      const response = await fetch(`${stack.baseUrl}/admin/accounts/${ada.id}`, {
        method: "DELETE",
        headers: { "x-admin-token": stack.adminToken },
        signal: AbortSignal.timeout(10_000),
      })
      assert.equal(response.status, 200)
      await adaCard.waitFor({ state: "detached" })
      await page.getByText("No accounts yet").waitFor()
    },
  },
  {
    name: "signing out from the header forgets the token",
    async run({ page, stack }) {
      await page.goto("/accounts")
      await signIn(page, stack.adminToken)
      await page.getByRole("button", { name: "Admin token" }).click()
      await page.getByRole("button", { name: /Sign out/ }).click()
      await page.getByRole("heading", { name: "Sign in" }).waitFor()
      assert.equal(await page.evaluate(() => localStorage.getItem("multicodex.admin-token")), null)
    },
  },
]
