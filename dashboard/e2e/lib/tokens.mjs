// JWT-shaped tokens for a ChatGPT sign-in, as the OAuth issuer would mint them (the signature is not checked).
import { randomBytes } from "node:crypto"

const base64url = (value) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url")

export function mintJwt(payload) {
  return `${base64url({ alg: "RS256", typ: "JWT", kid: "e2e" })}.${base64url(payload)}.${randomBytes(32).toString("base64url")}`
}

/** `{accessToken, refreshToken, idToken}` for `email` on `plan`, valid for an hour. */
export function makeAccountTokens({ email, plan = "plus", accountId, userId }) {
  const now = Math.floor(Date.now() / 1000)
  const auth = {
    chatgpt_account_id: accountId ?? `acct-${randomBytes(6).toString("hex")}`,
    chatgpt_user_id: userId ?? `user-${randomBytes(6).toString("hex")}`,
    chatgpt_plan_type: plan,
  }
  const claims = { iat: now, exp: now + 3600, email, "https://api.openai.com/auth": auth }
  return {
    accessToken: mintJwt({ ...claims, aud: ["https://api.openai.com/v1"] }),
    refreshToken: `rt_${randomBytes(24).toString("base64url")}`,
    idToken: mintJwt({ ...claims, aud: "app_EMoamEEZ73f0CkXaXp7hrann", email_verified: true }),
  }
}

/** Adds an account through the front door's admin REST API; returns the created account. */
export async function createAccount(stack, { label, priority, ...identity }) {
  const response = await fetch(`${stack.baseUrl}/admin/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-admin-token": stack.adminToken },
    body: JSON.stringify({ tokens: makeAccountTokens(identity), label, priority }),
    signal: AbortSignal.timeout(10_000),
  })
  const body = await response.text()
  if (!response.ok) {
    throw new Error(`POST /admin/accounts answered ${response.status}: ${body}`)
  }
  return JSON.parse(body).account
}
