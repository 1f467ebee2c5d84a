import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt"
import { Account_State, type Account, type UsageWindow } from "@/lib/gen/multicodex/control/v1/account_pb"
import { clampPercent, formatDateTime, type FormatOptions } from "@/lib/format"

/** How a status reads at a glance; maps onto the badge variants. */
export type StatusTone = "success" | "warning" | "destructive" | "muted"

export interface AccountStatus {
  label: string
  tone: StatusTone
  /** Why, when the server said: a block or re-auth reason. */
  reason?: string
}

/** The state badge: "Active", "Blocked until 14:32", "Re-auth required" or "Disabled". */
export function accountStatus(account: Account, now: Date, format?: FormatOptions): AccountStatus {
  if (account.state === Account_State.DISABLED || account.enabled === false) {
    return { label: "Disabled", tone: "muted" }
  }
  switch (account.state) {
    case Account_State.REAUTH_REQUIRED:
      return { label: "Re-auth required", tone: "destructive", reason: account.reauthReason || undefined }
    case Account_State.BLOCKED: {
      const until = toDate(account.blockExpireTime)
      const reason = account.blockReason || undefined
      if (!until) {
        return { label: "Blocked", tone: "warning", reason }
      }
      // A block ends by itself at its time (design.md, Selection); the list may be older than that.
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

/** A usage window in plain values for a meter. */
export interface UsageMeterValue {
  name: string
  percent: number
  resetTime?: Date
}

/** The windows to draw, 5-hour first; empty when the account has no usage yet. */
export function usageMeters(account: Account): UsageMeterValue[] {
  const usage = account.usage
  if (!usage) {
    return []
  }
  const meters: UsageMeterValue[] = []
  const add = (name: string, window: UsageWindow | undefined) => {
    if (window) {
      meters.push({ name, percent: clampPercent(window.usedPercent), resetTime: toDate(window.resetTime) })
    }
  }
  add("5-hour window", usage.fiveHour)
  add("Weekly window", usage.weekly)
  return meters
}

/** A meter's colour: calm until the window is mostly used. */
export function usageTone(percent: number): "default" | "warning" | "destructive" {
  if (percent >= 90) {
    return "destructive"
  }
  return percent >= 70 ? "warning" : "default"
}

export function toDate(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp ? timestampDate(timestamp) : undefined
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
