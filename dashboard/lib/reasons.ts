/** Why an account is blocked or needs a new sign-in, in words, with the server's code kept for a tooltip. */
export interface Reason {
  /** The code as Control reports it, for example `usage_limit_reached`. */
  code: string
  /** What it means for the operator. */
  text: string
}

const texts: Record<string, string> = {
  // Quota answers from the upstream (they block the account until its reset).
  usage_limit_reached: "Usage limit reached",
  usage_not_included: "Codex is not included in this plan",
  insufficient_quota: "Out of quota",
  quota_exceeded: "Quota exceeded",
  rate_limit_exceeded: "Rate limited by ChatGPT",
  // The issuer refused the refresh token for good: only a new sign-in helps.
  refresh_token_reused: "Its sign-in was used by another program (the refresh token was already used)",
  refresh_token_expired: "Its sign-in expired",
  refresh_token_invalidated: "Its sign-in was revoked",
  invalid_grant: "Its sign-in is no longer valid",
  token_expired: "Its sign-in expired",
  token_invalidated: "Its sign-in was revoked",
}

/** The words for a reason code; an unknown code reads as a sentence ("some_new_code" → "Some new code"). */
export function describeReason(code: string): Reason {
  const trimmed = code.trim()
  const known = texts[trimmed.toLowerCase()]
  if (known) {
    return { code: trimmed, text: known }
  }
  const words = trimmed.replace(/[_-]+/g, " ").trim()
  return { code: trimmed, text: words ? words.charAt(0).toUpperCase() + words.slice(1) : "No reason given" }
}
