// The most common real incident: an account's sign-in is revoked upstream. Its card says "Re-auth required" and
// offers Sign in again, which runs the OAuth paste flow for that account and renews it in place: one card, its
// label kept, active again. Runs after pool.mjs (alice is in the pool).
import assert from "node:assert/strict"

import { DEMO, accountByEmail, admin, card, openSignedIn, signInWithOAuth, until } from "../lib/ui.mjs"

/** Revokes the account's grant at the Simulator (RFC 7009), as signing out elsewhere or a revocation would. */
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

export const tests = [
  {
    name: "Sign in again on a re-auth-required account renews it: one card, its label kept, active again",
    timeoutMs: 60_000,
    async run({ page, stack, screenshot, allowConsoleErrors }) {
      const before = await accountByEmail(stack, DEMO.alice)
      await admin(stack, `/admin/accounts/${before.id}?updateMask=label`, {
        method: "PATCH",
        body: { label: "Alice (main)" },
      })
      await revokeUpstream(stack, before.id)

      await openSignedIn(page, stack, "/accounts")
      const alice = card(page, "Alice (main)")
      // The next usage probe meets the revoked token; the refresh is refused for good.
      await alice.getByRole("button", { name: "Refresh usage", exact: true }).click()
      await until(
        "alice to need a new sign-in",
        async () => (await alice.getByTestId("account-state").textContent()) === "Re-auth required",
      )
      await alice.getByText("Its sign-in was revoked").waitFor()
      await screenshot("accounts-reauth")

      await alice.getByRole("link", { name: "Sign in again" }).click()
      await page.waitForURL(`**/accounts/add?renew=${before.id}`)
      await page.getByTestId("renew-notice").getByText("Signing in again: Alice (main)").waitFor()
      await signInWithOAuth(page, stack, DEMO.alice, {
        allowConsoleErrors,
        done: `Signed in again as ${DEMO.alice}`,
      })
      await screenshot("add-account-renewed")

      await page.getByRole("link", { name: "Go to Accounts" }).click()
      await until("alice active again", async () => {
        const state = await card(page, "Alice (main)").getByTestId("account-state").textContent()
        return state === "Active"
      })
      assert.equal(await page.getByTestId("account-card").filter({ hasText: DEMO.alice }).count(), 1)
      const { accounts } = await admin(stack, "/admin/accounts")
      const alices = accounts.filter((account) => account.email === DEMO.alice)
      assert.equal(alices.length, 1, "one account for alice")
      assert.equal(alices[0].id, before.id)
      assert.equal(alices[0].label, "Alice (main)")
      assert.equal(alices[0].state, "STATE_ACTIVE")
    },
  },
]
