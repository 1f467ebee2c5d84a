// The Accounts page through the real front door: sign-in with the admin token, empty state, and a card for an
// account added through the admin REST API. The tests share one stack and run in this order.
import assert from "node:assert/strict"

import { createAccount } from "../lib/tokens.mjs"

const WRONG_TOKEN_MESSAGE = "Wrong x-admin-token: it does not match the server's ADMIN_TOKEN."

async function signIn(page, token) {
  // The shell renders before Control's answer brings up the sign-in screen: wait for the field itself.
  await page.getByRole("textbox", { name: "Admin token" }).fill(token)
  await page.getByRole("button", { name: "Sign in" }).click()
}

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
    name: "an account added through POST /admin/accounts appears as a card with its email and plan",
    async run({ page, stack, screenshot }) {
      await page.goto("/accounts")
      await signIn(page, stack.adminToken)
      await page.getByText("No accounts yet").waitFor()

      const ada = await createAccount(stack, { email: "ada@example.com", plan: "plus" })
      assert.equal(ada.email, "ada@example.com")
      await createAccount(stack, {
        email: "grace@example.com",
        plan: "pro",
        label: "Grace (team)",
        priority: 1,
      })

      await page.getByRole("button", { name: "Refresh" }).click()
      const card = page.getByTestId("account-card").filter({ hasText: "ada@example.com" })
      await card.waitFor()
      assert.equal(await card.getByTestId("account-plan").textContent(), "Plus")
      assert.equal(await card.getByTestId("account-state").textContent(), "Active")
      const grace = page.getByTestId("account-card").filter({ hasText: "grace@example.com" })
      assert.match(await grace.textContent(), /Grace \(team\)/)
      assert.equal(await grace.getByTestId("account-plan").textContent(), "Pro")
      await page.getByText("2 accounts · 2 active").waitFor()
      await screenshot("accounts")
      await page.setViewportSize({ width: 390, height: 844 })
      await page.getByRole("button", { name: "Toggle navigation" }).waitFor()
      await screenshot("accounts-mobile")
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
