import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt"
import { Account_State, type Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import { formatDateTime, type FormatOptions } from "@/lib/format"
import { describeReason, type Reason } from "@/lib/reasons"

export { effectiveUsedPercent, usageMeters, type UsageMeterValue } from "@/lib/meters"

/** How a status reads at a glance; maps onto the badge variants. */
export type StatusTone = "success" | "warning" | "destructive" | "muted"

export interface AccountStatus {
  label: string
  tone: StatusTone
  /** Why, when the server said: a block or re-auth reason, in words, with its code. */
  reason?: Reason
}

/** The state badge: "Active", "Blocked until 14:32", "Re-auth required" or "Disabled". */
export function accountStatus(account: Account, now: Date, format?: FormatOptions): AccountStatus {
  if (account.state === Account_State.DISABLED || account.enabled === false) {
    return { label: "Disabled", tone: "muted" }
  }
  switch (account.state) {
    case Account_State.REAUTH_REQUIRED:
      return { label: "Re-auth required", tone: "destructive", reason: reasonOf(account.reauthReason) }
    case Account_State.BLOCKED: {
      const until = toDate(account.blockExpireTime)
      const reason = reasonOf(account.blockReason)
      if (!until) {
        return { label: "Blocked", tone: "warning", reason }
      }
      // A block ends by itself at its time (docs/account-pool.md, Blocks); the list may be older than that.
      if (until.getTime() <= now.getTime()) {
        return { label: "Active", tone: "success" }
      }
      return { label: `Blocked until ${formatDateTime(until, now, format)}`, tone: "warning", reason }
    }
    case Account_State.ACTIVE:
      return { label: "Active", tone: "success" }
    default:
      return { label: "Unknown", tone: "muted" }
  }
}

/** "plus" → "Plus"; unknown or empty → "Unknown plan". */
export function planLabel(planType: string): string {
  const plan = planType.trim()
  if (!plan) {
    return "Unknown plan"
  }
  return plan
    .split(/[\s_-]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join(" ")
}

/** The display name: the label, or the email address when the label is empty. */
export function accountTitle(account: Account): string {
  return account.label?.trim() || account.email || account.id
}

/**
 * A meter's colour. Red means one thing: the account is blocked. Otherwise amber once the window is nearly used,
 * grey when the sample is stale, and the calm default.
 */
export function usageTone(
  percent: number,
  { blocked = false, stale = false }: { blocked?: boolean; stale?: boolean } = {},
): "default" | "warning" | "destructive" | "muted" {
  if (blocked) {
    return "destructive"
  }
  if (stale) {
    return "muted"
  }
  return percent >= 80 ? "warning" : "default"
}

/** Usage older than this is marked stale: Control probes every 5 minutes by default (USAGE_REFRESH_SECONDS). */
export const USAGE_STALE_AFTER_MS = 15 * 60_000

export interface UsageFreshness {
  /** When the usage was observed (a probe, or a response's rate-limit headers). */
  observedAt: Date
  ageMs: number
  stale: boolean
}

/** How old the account's usage sample is; undefined when it has none. */
export function usageFreshness(account: Account, now: Date): UsageFreshness | undefined {
  const observedAt = toDate(account.usage?.updateTime)
  if (!observedAt) {
    return undefined
  }
  const ageMs = Math.max(0, now.getTime() - observedAt.getTime())
  return { observedAt, ageMs, stale: ageMs > USAGE_STALE_AFTER_MS }
}

export function toDate(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp ? timestampDate(timestamp) : undefined
}

function reasonOf(code: string | undefined): Reason | undefined {
  return code?.trim() ? describeReason(code) : undefined
}

/** True while a block is in force: Unblock makes sense only then (a block ends by itself at its time). */
export function isBlocked(account: Account, now: Date): boolean {
  if (account.state !== Account_State.BLOCKED) {
    return false
  }
  const until = toDate(account.blockExpireTime)
  return !until || until.getTime() > now.getTime()
}

/** A file name for an exported auth.json: "auth-ada-example.com.json". */
export function exportFileName(account: Account): string {
  const name = (account.email || account.id).replace(/[^a-z0-9.-]+/gi, "-").replace(/^-+|-+$/g, "")
  return `auth-${name || "account"}.json`
}
