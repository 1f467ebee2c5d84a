import { accountTitle, effectiveUsedPercent, isBlocked, toDate } from "@/lib/accounts"
import { formatCountdown, formatDateTime, type FormatOptions } from "@/lib/format"
import { Account_State, type Account, type UsageWindow } from "@/lib/gen/multicodex/control/v1/account_pb"

/** What is left of one rate-limit window across the pool. */
export interface Headroom {
  /** Share of the measured accounts' combined window still free, 0–100; undefined when none reports the window. */
  percentLeft?: number
  /** The same in accounts: 1.5 means one and a half accounts' worth of this window is left. */
  accountsLeft: number
  /** Accounts that report this window (blocked ones count as nothing left until their block ends). */
  measured: number
}

/** The pool at a glance, computed from the account list alone (the same list the cards show). */
export interface PoolHealth {
  total: number
  /** Accounts the Edge may pick now: enabled, signed in, not blocked (the selection rules' "eligible"). */
  usable: number
  /** Enabled, signed-in accounts whose block is in force, the one that frees up first at the front. */
  blocked: Account[]
  reauth: number
  disabled: number
  /** When the next blocked account frees up (its block's end), and which one. */
  nextFree?: { account: Account; time: Date }
  fiveHour: Headroom
  weekly: Headroom
}

/** Whether an account can serve a request at `now` (design.md, Selection: eligible). */
export function isUsable(account: Account, now: Date): boolean {
  if (account.enabled === false || account.state === Account_State.DISABLED) {
    return false
  }
  if (account.state === Account_State.REAUTH_REQUIRED) {
    return false
  }
  return !isBlocked(account, now)
}

export function poolHealth(accounts: Account[], now: Date): PoolHealth {
  const enabled = accounts.filter((a) => a.enabled !== false && a.state !== Account_State.DISABLED)
  const signedIn = enabled.filter((a) => a.state !== Account_State.REAUTH_REQUIRED)
  const blocked = signedIn.filter((a) => isBlocked(a, now)).sort((a, b) => blockEnd(a) - blockEnd(b))
  const first = blocked[0]
  const firstEnd = first ? toDate(first.blockExpireTime) : undefined
  return {
    total: accounts.length,
    usable: signedIn.filter((a) => isUsable(a, now)).length,
    blocked,
    reauth: enabled.length - signedIn.length,
    disabled: accounts.length - enabled.length,
    nextFree: first && firstEnd ? { account: first, time: firstEnd } : undefined,
    fiveHour: headroom(signedIn, now, (a) => a.usage?.fiveHour),
    weekly: headroom(signedIn, now, (a) => a.usage?.weekly),
  }
}

function blockEnd(account: Account): number {
  // A block without an end sorts last: it frees up only by an operator's Unblock.
  return toDate(account.blockExpireTime)?.getTime() ?? Number.POSITIVE_INFINITY
}

function headroom(
  accounts: Account[],
  now: Date,
  windowOf: (a: Account) => UsageWindow | undefined,
): Headroom {
  let left = 0
  let measured = 0
  for (const account of accounts) {
    const window = windowOf(account)
    if (!window) {
      continue
    }
    measured++
    if (!isBlocked(account, now)) {
      left += 100 - effectiveUsedPercent(window, now)
    }
  }
  return {
    percentLeft: measured > 0 ? Math.round(left / measured) : undefined,
    accountsLeft: Math.round(left) / 100,
    measured,
  }
}

/** Why no request can be served now, and what clients get; undefined while at least one account is usable. */
export interface PoolOutage {
  /** 429 with Retry-After while accounts are blocked for quota; 503 when none is even eligible to be blocked. */
  status: 429 | 503
  headline: string
  detail: string
}

/**
 * The red banner's words when no account is usable: "Clients get 429 until 19:18; erin resets first." (the Edge
 * answers 429 with Retry-After until the first block ends), or 503 when every account is disabled or signed out.
 */
export function poolOutage(health: PoolHealth, now: Date, format?: FormatOptions): PoolOutage | undefined {
  if (health.total === 0 || health.usable > 0) {
    return undefined
  }
  if (health.nextFree) {
    const { account, time } = health.nextFree
    return {
      status: 429,
      headline: `Clients get 429 until ${formatDateTime(time, now, format)}; ${accountTitle(account)} resets first.`,
      detail:
        `Every account is blocked or unavailable. The first one is back in ` +
        `${formatCountdown(time.getTime() - now.getTime())}; until then /v1 answers 429 with Retry-After.`,
    }
  }
  const parts = [
    health.blocked.length > 0 ? `${count(health.blocked.length, "is", "are")} blocked until unblocked` : "",
    health.reauth > 0 ? `${count(health.reauth, "needs", "need")} a new sign-in` : "",
    health.disabled > 0 ? `${count(health.disabled, "is", "are")} disabled` : "",
  ].filter(Boolean)
  return {
    status: health.blocked.length > 0 ? 429 : 503,
    headline:
      health.blocked.length > 0
        ? "Clients get 429: no account can serve requests."
        : "Clients get 503: no account can serve requests.",
    detail: `${capitalize(parts.join(", "))}.`,
  }
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? "account" : "accounts"} ${n === 1 ? one : many}`
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
