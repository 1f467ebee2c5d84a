// Shared steps for the browser tests: sign in to the dashboard, find an account's card, sign an account in
// through the dashboard's browser (OAuth paste) flow against the Simulator, and wait for a condition.
import { setTimeout as sleep } from "node:timers/promises"

/** The Simulator's demo accounts (src/MultiCodex.Simulator/Demo/DemoMode.cs). */
export const DEMO = {
  alice: "alice@demo.test",
  bob: "bob@demo.test",
  carol: "carol@demo.test",
  erin: "erin@demo.test",
}

/** Fills the sign-in screen; the shell renders before Control's answer brings it up, so wait for the field. */
export async function signIn(page, token) {
  await page.getByRole("textbox", { name: "Admin token" }).fill(token)
  await page.getByRole("button", { name: "Sign in" }).click()
}

/** Goes to `path` signed in: stores the token first, as the sign-in form would after checking it. */
export async function openSignedIn(page, stack, path) {
  await page.goto("/accounts")
  await signIn(page, stack.adminToken)
  await page.getByTestId("live-indicator").waitFor()
  if (path !== "/accounts") {
    await page.goto(path)
  }
}

/** An account's card on the Accounts page, by its email (or label). */
export function card(page, text) {
  return page.getByTestId("account-card").filter({ hasText: text })
}

/** Polls `check` (sync or async) until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function until(what, check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) {
      return value
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`)
    }
    await sleep(200)
  }
}

/**
 * The seed's OAuth workflow through the dashboard, on `page` at /accounts/add: Start OAuth opens the Simulator's
 * sign-in page in a new tab; signing in there redirects that tab to http://localhost:1455/auth/callback?code=…,
 * where nothing listens. Chromium then shows its error page (page.url() becomes chrome-error://…), while the
 * address bar keeps the callback URL: the test reads it from the tab's navigation request, pastes it and
 * completes. `onPasted()` runs while the add-account page shows the pasted URL (for a screenshot).
 */
export async function signInWithOAuth(page, stack, email, { allowConsoleErrors, onPasted } = {}) {
  // The Simulator's plain pages log a missing favicon; the callback tab fails to load by design.
  allowConsoleErrors?.(new RegExp(`\\(${escapeRegExp(stack.simulatorUrl)}/|localhost:1455`))
  const panel = page.getByRole("tabpanel", { name: "Browser sign-in" })
  await panel.getByLabel("Email").fill(email)
  const [signInTab] = await Promise.all([
    page.context().waitForEvent("page"),
    panel.getByRole("button", { name: "Start OAuth" }).click(),
  ])
  // The URL is shown too, with a copy button, for when the new tab is blocked.
  const shown = await panel.getByRole("textbox", { name: "Sign-in URL" }).inputValue()
  if (!shown.startsWith(`${stack.simulatorUrl}/oauth/authorize?`)) {
    throw new Error(`the page shows an unexpected sign-in URL: ${shown}`)
  }
  await signInTab.waitForLoadState("domcontentloaded")
  await signInTab.getByLabel("Email").fill(email)
  const [callback] = await Promise.all([
    signInTab.waitForEvent("request", (request) =>
      request.url().startsWith("http://localhost:1455/auth/callback?"),
    ),
    signInTab.getByRole("button", { name: "Sign in" }).click(),
  ])
  const redirected = callback.url()
  await signInTab.close()

  await panel.getByLabel("Redirected URL").fill(redirected)
  await onPasted?.()
  await panel.getByRole("button", { name: "Complete OAuth from pasted URL" }).click()
  await panel.getByText(`Signed in as ${email}`).waitFor()
  return redirected
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
}
