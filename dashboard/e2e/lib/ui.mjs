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

/** The admin REST API through the front door, with the admin token; JSON in and out. */
export async function admin(stack, path, { method = "GET", body } = {}) {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { "x-admin-token": stack.adminToken, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${text}`)
  }
  return text ? JSON.parse(text) : {}
}

/** The account with this email, as the admin API lists it. */
export async function accountByEmail(stack, email) {
  const { accounts = [] } = await admin(stack, "/admin/accounts")
  return accounts.find((account) => account.email === email)
}

/** POST /v1/responses through the front door, as an OpenAI client would. */
export async function respond(stack, { key } = {}) {
  const response = await fetch(`${stack.baseUrl}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model: "gpt-5.5", input: "hi" }),
    signal: AbortSignal.timeout(20_000),
  })
  return { status: response.status, body: await response.text() }
}

/**
 * Sends requests until one meets a quota error (429), as a busy client would: each answer the fake serves uses up
 * a little more of the account's window. With the demo's hot account (erin) the only one enabled, that blocks her.
 */
export async function respondUntilQuota(stack, attempts = 40) {
  for (let i = 0; i < attempts; i++) {
    const answer = await respond(stack)
    if (answer.status === 429) {
      return answer
    }
    if (answer.status !== 200) {
      throw new Error(`POST /v1/responses answered ${answer.status} before any quota error: ${answer.body}`)
    }
  }
  throw new Error(`no quota error after ${attempts} requests`)
}

/** Flips a card's Enabled switch and waits for the state badge to follow. */
export async function setEnabled(page, email, enabled) {
  const target = card(page, email)
  const toggle = target.getByRole("switch", { name: "Enabled" })
  if ((await toggle.getAttribute("aria-checked")) !== String(enabled)) {
    await toggle.click()
  }
  await until(`${email} ${enabled ? "enabled" : "disabled"}`, async () => {
    const state = await target.getByTestId("account-state").textContent()
    return enabled ? state !== "Disabled" : state === "Disabled"
  })
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
export async function signInWithOAuth(
  page,
  stack,
  email,
  { allowConsoleErrors, onPasted, done = `Signed in as ${email}` } = {},
) {
  // The Simulator's plain pages log a missing favicon; the callback tab fails to load by design.
  allowConsoleErrors?.(new RegExp(`\\(${escapeRegExp(stack.simulatorUrl)}/|localhost:1455`))
  const panel = page.getByRole("tabpanel", { name: "Browser sign-in" })
  const field = panel.getByLabel("Email")
  // "Sign in again" fills in the account's email and locks it.
  if (await field.isEditable()) {
    await field.fill(email)
  }
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
  await panel.getByText(done).waitFor()
  return redirected
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
}
