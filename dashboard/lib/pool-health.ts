import { accountTitle } from "@/lib/accounts"
import { formatCountdown, formatDateTime, type FormatOptions } from "@/lib/format"
import { Account_State, type Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import { ordinaryFreeAt, ordinaryOpen, servingReserves, usageMeters, type MeterKindName } from "@/lib/meters"

/** What is left of one kind of meter across the pool. */
export interface Headroom {
  /** Share of the measured accounts' combined meter still free, 0–100; undefined when none reports the meter. */
  percentLeft?: number
  /** The same in accounts: 1.5 means one and a half accounts' worth of this meter is left. */
  accountsLeft: number
  /** Accounts that report this meter (blocked or spent ones count as nothing left until they are free again). */
  measured: number
}

/** The pool at a glance, computed from the account list alone (the same list the cards show). */
export interface PoolHealth {
  total: number
  /** Accounts the Edge may pick now for any model: enabled, signed in, neither blocked nor spent on their ordinary meters. */
  usable: number
  /** Enabled, signed-in accounts that are blocked or spent, the one that frees up first at the front. */
  blocked: Account[]
  /** Of those, the ones whose reserve still serves its model (requests for it still go there). */
  reserveOnly: Account[]
  reauth: number
  disabled: number
  /** When the next blocked account frees up (its block's end), and which one. */
  nextFree?: { account: Account; time: Date }
  fiveHour: Headroom
  weekly: Headroom
  /** Monthly credit budgets (Business / Enterprise); measured 0 when no account has one. */
  credits: Headroom
  /** Reserves (each serves one model); measured 0 when no account has one. */
  reserves: Headroom
}

/**
 * Whether an account can serve an ordinary request at `now` (docs/account-pool.md, "The rules": eligible): enabled, signed in,
 * not blocked, and no ordinary meter (window or credit budget) spent.
 */
export function isUsable(account: Account, now: Date): boolean {
  if (account.enabled === false || account.state === Account_State.DISABLED) {
    return false
  }
  if (account.state === Account_State.REAUTH_REQUIRED) {
    return false
  }
  return ordinaryOpen(account, now)
}

export function poolHealth(accounts: Account[], now: Date): PoolHealth {
  const enabled = accounts.filter((a) => a.enabled !== false && a.state !== Account_State.DISABLED)
  const signedIn = enabled.filter((a) => a.state !== Account_State.REAUTH_REQUIRED)
  const freeAt = (account: Account) =>
    // One that frees up only by an operator's Unblock (or a new usage sample) sorts last.
    ordinaryFreeAt(account, now)?.getTime() ?? Number.POSITIVE_INFINITY
  const blocked = signedIn.filter((a) => !isUsable(a, now)).sort((a, b) => freeAt(a) - freeAt(b))
  const first = blocked[0]
  const firstEnd = first ? ordinaryFreeAt(first, now) : undefined
  return {
    total: accounts.length,
    usable: signedIn.filter((a) => isUsable(a, now)).length,
    blocked,
    reserveOnly: blocked.filter((a) => servingReserves(a, now).length > 0),
    reauth: enabled.length - signedIn.length,
    disabled: accounts.length - enabled.length,
    nextFree: first && firstEnd ? { account: first, time: firstEnd } : undefined,
    fiveHour: headroom(signedIn, now, "five-hour"),
    weekly: headroom(signedIn, now, "weekly"),
    credits: headroom(signedIn, now, "credits"),
    reserves: headroom(signedIn, now, "reserve"),
  }
}

function headroom(accounts: Account[], now: Date, kind: MeterKindName): Headroom {
  let left = 0
  let measured = 0
  for (const account of accounts) {
    for (const meter of usageMeters(account, now)) {
      if (meter.kind !== kind) {
        continue
      }
      measured++
      if (!meter.blocked && !meter.spent) {
        left += 100 - meter.percent
      }
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
 * A reserve that still serves its model is named: requests for that model still go through.
 */
export function poolOutage(health: PoolHealth, now: Date, format?: FormatOptions): PoolOutage | undefined {
  if (health.total === 0 || health.usable > 0) {
    return undefined
  }
  const reserves = health.reserveOnly.length > 0 ? ` ${reserveWords(health.reserveOnly, now)}` : ""
  if (health.nextFree) {
    const { account, time } = health.nextFree
    return {
      status: 429,
      headline:
        `Clients get 429 until ${formatDateTime(time, now, format)}` +
        `${reserves ? ", except for a reserve's model" : ""}; ${accountTitle(account)} resets first.`,
      detail:
        `Every account is blocked or unavailable. The first one is back in ` +
        `${formatCountdown(time.getTime() - now.getTime())}; until then /v1 answers 429 with Retry-After.${reserves}`,
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
    detail: `${capitalize(parts.join(", "))}.${reserves}`,
  }
}

/** "frank@demo.test's reserve still serves gpt-5.6-luna (model id gpt-reserve)." */
function reserveWords(accounts: Account[], now: Date): string {
  const ways = accounts.flatMap((account) =>
    servingReserves(account, now).map(
      (r) =>
        `${accountTitle(account)}'s reserve still serves ${r.name.replace(/^Reserve for /, "")} (model id ${r.key.replace(/^reserve:/, "")})`,
    ),
  )
  return `${capitalize(ways.join("; "))}.`
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? "account" : "accounts"} ${n === 1 ? one : many}`
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
