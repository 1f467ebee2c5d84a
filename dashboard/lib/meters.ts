import { timestampDate, type Duration, type Timestamp } from "@bufbuild/protobuf/wkt"

import {
  Account_State,
  UsageMeter_Kind,
  type Account,
  type UsageMeter,
  type UsageWindow,
} from "@/lib/gen/multicodex/control/v1/account_pb"
import { clampPercent } from "@/lib/format"

/** What a meter measures, as the dashboard names it. */
export type MeterKindName = "five-hour" | "weekly" | "window" | "credits" | "reserve" | "limit"

/** One meter in plain values: a rate-limit window, the credit budget, or a limit that serves one model. */
export interface UsageMeterValue {
  /** Control's stable key: `5h`, `weekly`, `window:1440m`, `credits`, `reserve:gpt-reserve`, `limit:<name>`. */
  key: string
  kind: MeterKindName
  /** "5-hour window", "Weekly window", "30-day window", "Credit budget", "Reserve for gpt-5.6-luna". */
  name: string
  /** Used percent as it counts now: 0 once the meter has reset, whatever the last sample said. */
  percent: number
  resetTime?: Date
  /** True when the reset time has passed since the sample: the meter starts afresh. */
  reset: boolean
  /** One more line on what it is: "120.00 of 500.00 credits spent", "Model id gpt-reserve". */
  detail?: string
  /** The upstream takes no more requests on this meter until it resets. */
  spent: boolean
  /** A block in force stops the requests this meter pays for. */
  blocked: boolean
  /** True for the meters that pay for ordinary requests (the windows and the credit budget). */
  ordinary: boolean
}

/** Blocks on these stop every model; blocks on `reserve:*` / `limit:*` only the model they pay for. */
const ACCOUNT_WIDE = new Set(["workspace", "account"])

/**
 * A meter's used percent as it counts at `now`: a meter whose reset time has passed is empty again, even if the last
 * sample (taken before the reset) said 100%.
 */
export function effectiveUsedPercent(
  meter: { usedPercent: number; resetTime?: Timestamp },
  now: Date,
): number {
  const reset = toDate(meter.resetTime)
  return reset && reset.getTime() <= now.getTime() ? 0 : clampPercent(meter.usedPercent)
}

/** Every meter of the account, ordinary ones first (as Control lists them); empty when it has no usage yet. */
export function usageMeters(account: Account, now: Date): UsageMeterValue[] {
  const usage = account.usage
  if (!usage) {
    return []
  }
  if (usage.meters.length > 0) {
    return usage.meters.map((meter) => fromMeter(account, meter, now))
  }
  // A Control from before meters reports the two windows only.
  const windows: [string, MeterKindName, string, UsageWindow | undefined][] = [
    ["5h", "five-hour", "5-hour window", usage.fiveHour],
    ["weekly", "weekly", "Weekly window", usage.weekly],
  ]
  return windows.flatMap(([key, kind, name, window]) =>
    window ? [value(account, { key, kind, name, ordinary: true, limitReached: false }, window, now)] : [],
  )
}

/** True when no block and no spent meter keeps ordinary requests off the account at `now` (the selection's rule). */
export function ordinaryOpen(account: Account, now: Date): boolean {
  return !ordinaryBlocked(account, now) && !usageMeters(account, now).some((m) => m.ordinary && m.spent)
}

/** The reserves that still take their model at `now`: not spent, not blocked. */
export function servingReserves(account: Account, now: Date): UsageMeterValue[] {
  return usageMeters(account, now).filter((m) => m.kind === "reserve" && !m.spent && !m.blocked)
}

/** "Its reserve still serves gpt-5.6-luna (model id gpt-reserve)", while only a reserve can take requests. */
export function reserveNote(account: Account, now: Date): string | undefined {
  const reserves = servingReserves(account, now)
  if (reserves.length === 0 || ordinaryOpen(account, now)) {
    return undefined
  }
  const served = reserves.map(
    (r) => `${r.name.replace(/^Reserve for /, "")} (model id ${r.key.replace(/^reserve:/, "")})`,
  )
  return `Its reserve still serves ${served.join(", ")}`
}

/**
 * When ordinary requests may go to the account again: the end of its ordinary block and the resets of its spent
 * ordinary meters, the latest of them; undefined when they may go now or nobody knows when.
 */
export function ordinaryFreeAt(account: Account, now: Date): Date | undefined {
  let until = ordinaryBlocked(account, now) ? toDate(account.blockExpireTime) : undefined
  if (ordinaryBlocked(account, now) && !until) {
    return undefined
  }
  for (const meter of usageMeters(account, now)) {
    if (meter.ordinary && meter.spent) {
      if (!meter.resetTime) {
        return undefined
      }
      until = !until || meter.resetTime > until ? meter.resetTime : until
    }
  }
  return until && until.getTime() > now.getTime() ? until : undefined
}

function fromMeter(account: Account, meter: UsageMeter, now: Date): UsageMeterValue {
  const kind = kindName(meter.kind)
  const ordinary = kind === "five-hour" || kind === "weekly" || kind === "window" || kind === "credits"
  return value(
    account,
    {
      key: meter.key,
      kind,
      name: meterName(meter, kind),
      detail: meterDetail(meter, kind),
      ordinary,
      limitReached: meter.limitReached,
    },
    meter,
    now,
  )
}

function value(
  account: Account,
  meta: Pick<UsageMeterValue, "key" | "kind" | "name" | "detail" | "ordinary"> & { limitReached: boolean },
  sample: { usedPercent: number; resetTime?: Timestamp },
  now: Date,
): UsageMeterValue {
  const resetTime = toDate(sample.resetTime)
  const reset = !!resetTime && resetTime.getTime() <= now.getTime()
  const percent = effectiveUsedPercent(sample, now)
  const { limitReached, ...rest } = meta
  return {
    ...rest,
    percent,
    resetTime,
    reset,
    spent: !reset && (percent >= 100 || limitReached),
    blocked: meta.ordinary ? ordinaryBlocked(account, now) : modelBlocked(account, meta.key, now),
  }
}

function kindName(kind: UsageMeter_Kind): MeterKindName {
  switch (kind) {
    case UsageMeter_Kind.FIVE_HOUR:
      return "five-hour"
    case UsageMeter_Kind.WEEKLY:
      return "weekly"
    case UsageMeter_Kind.OTHER_WINDOW:
      return "window"
    case UsageMeter_Kind.CREDIT_BUDGET:
      return "credits"
    case UsageMeter_Kind.RESERVE:
      return "reserve"
    default:
      return "limit"
  }
}

function meterName(meter: UsageMeter, kind: MeterKindName): string {
  switch (kind) {
    case "five-hour":
      return "5-hour window"
    case "weekly":
      return "Weekly window"
    case "window":
      return `${lengthName(meter.windowLength)} window`
    case "credits":
      return "Credit budget"
    case "reserve":
      return `Reserve for ${meter.model || meter.limitName}`
    default:
      return `Limit ${meter.limitName}`
  }
}

function meterDetail(meter: UsageMeter, kind: MeterKindName): string | undefined {
  switch (kind) {
    case "credits":
      return meter.creditLimit
        ? `${meter.creditsUsed || "0"} of ${meter.creditLimit} credits spent`
        : undefined
    case "reserve":
      return `Model id ${meter.limitName}`
    case "limit":
      return "Not used to choose accounts"
    default:
      return undefined
  }
}

/** "30-day", "12-hour", "90-minute". */
export function lengthName(length: Duration | undefined): string {
  const seconds = Number(length?.seconds ?? 0n)
  const [unit, size] =
    seconds % 86_400 === 0 ? ["day", 86_400] : seconds % 3_600 === 0 ? ["hour", 3_600] : ["minute", 60]
  return `${Math.round(seconds / size)}-${unit}`
}

function ordinaryBlocked(account: Account, now: Date): boolean {
  if (account.state !== Account_State.BLOCKED) {
    return false
  }
  const until = toDate(account.blockExpireTime)
  return !until || until.getTime() > now.getTime()
}

function modelBlocked(account: Account, key: string, now: Date): boolean {
  return account.blocks.some(
    (block) =>
      (block.meterKey === key || ACCOUNT_WIDE.has(block.meterKey)) &&
      (toDate(block.expireTime)?.getTime() ?? Number.POSITIVE_INFINITY) > now.getTime(),
  )
}

function toDate(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp ? timestampDate(timestamp) : undefined
}
