import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"

import {
  AccountSchema,
  AccountUsageSchema,
  Account_State,
  UsageWindowSchema,
  type Account,
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
