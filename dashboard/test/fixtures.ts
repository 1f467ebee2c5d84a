import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"

import {
  AccountSchema,
  AccountUsageSchema,
  Account_State,
  MeterBlockSchema,
  UsageMeterSchema,
  UsageMeter_Kind,
  UsageWindowSchema,
  type Account,
  type UsageMeter,
} from "@/lib/gen/multicodex/control/v1/account_pb"

export const NOW = new Date("2026-11-24T12:00:00Z")

export const minutesFromNow = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000)

/** An active Plus account; override any field. */
export function makeAccount(overrides: Partial<Omit<Account, "$typeName">> = {}): Account {
  return create(AccountSchema, {
    id: "acc_3f9c2a7d1e0b",
    email: "ada@example.com",
    label: "ada@example.com",
    priority: 0,
    enabled: true,
    state: Account_State.ACTIVE,
    planType: "plus",
    tokenHint: "eyJh…Qw",
    createTime: timestampFromDate(minutesFromNow(-3 * 24 * 60)),
    ...overrides,
  })
}

/** Usage with both windows; percentages and minutes until reset. */
export function makeUsage(fiveHour: [number, number], weekly: [number, number]) {
  const window = ([usedPercent, minutes]: [number, number]) =>
    create(UsageWindowSchema, { usedPercent, resetTime: timestampFromDate(minutesFromNow(minutes)) })
  return create(AccountUsageSchema, { fiveHour: window(fiveHour), weekly: window(weekly) })
}

const hours = (n: number) => ({ seconds: BigInt(n * 3600), nanos: 0 })

/** Meters as Control reports them; percentages, and minutes until reset. */
export const meter = {
  fiveHour: (usedPercent: number, minutes: number) =>
    create(UsageMeterSchema, {
      key: "5h",
      kind: UsageMeter_Kind.FIVE_HOUR,
      usedPercent,
      windowLength: hours(5),
      resetTime: inMinutes(minutes),
    }),
  weekly: (usedPercent: number, minutes: number) =>
    create(UsageMeterSchema, {
      key: "weekly",
      kind: UsageMeter_Kind.WEEKLY,
      usedPercent,
      windowLength: hours(168),
      resetTime: inMinutes(minutes),
    }),
  window: (days: number, usedPercent: number, minutes: number) =>
    create(UsageMeterSchema, {
      key: `window:${days * 1440}m`,
      kind: UsageMeter_Kind.OTHER_WINDOW,
      usedPercent,
      windowLength: hours(days * 24),
      resetTime: inMinutes(minutes),
    }),
  credits: (used: number, limit: number, minutes: number, limitReached = false) =>
    create(UsageMeterSchema, {
      key: "credits",
      kind: UsageMeter_Kind.CREDIT_BUDGET,
      usedPercent: (used / limit) * 100,
      creditLimit: limit.toFixed(2),
      creditsUsed: used.toFixed(2),
      resetTime: inMinutes(minutes),
      limitReached,
    }),
  reserve: (usedPercent: number, minutes: number, model = "gpt-5.6-luna") =>
    create(UsageMeterSchema, {
      key: "reserve:gpt-reserve",
      kind: UsageMeter_Kind.RESERVE,
      usedPercent,
      windowLength: hours(168),
      resetTime: inMinutes(minutes),
      limitName: "gpt-reserve",
      model,
    }),
}

/** Usage with these meters, and the 5-hour and weekly views filled in from them, as Control sends it. */
export function makeMeters(...meters: UsageMeter[]) {
  const view = (kind: UsageMeter_Kind) => {
    const found = meters.find((m) => m.kind === kind)
    return found
      ? create(UsageWindowSchema, {
          usedPercent: found.usedPercent,
          length: found.windowLength,
          resetTime: found.resetTime,
        })
      : undefined
  }
  return create(AccountUsageSchema, {
    meters,
    fiveHour: view(UsageMeter_Kind.FIVE_HOUR),
    weekly: view(UsageMeter_Kind.WEEKLY),
    updateTime: inMinutes(-1),
  })
}

/** A block on one meter, ending in `minutes`. */
export function meterBlock(meterKey: string, minutes: number, reason = "usage_limit_reached") {
  return create(MeterBlockSchema, { meterKey, expireTime: inMinutes(minutes), reason })
}

function inMinutes(minutes: number) {
  return timestampFromDate(minutesFromNow(minutes))
}
