import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import {
  accountStatus,
  accountTitle,
  effectiveUsedPercent,
  exportFileName,
  isBlocked,
  planLabel,
  usageFreshness,
  usageMeters,
  usageTone,
} from "@/lib/accounts"
import {
  AccountUsageSchema,
  Account_State,
  UsageWindowSchema,
} from "@/lib/gen/multicodex/control/v1/account_pb"
import { NOW, makeAccount, makeUsage, minutesFromNow } from "@/test/fixtures"

const format = { locale: "en-US", timeZone: "UTC" }

describe("accountStatus", () => {
  it("reads Active for an active account", () => {
    expect(accountStatus(makeAccount(), NOW, format)).toEqual({ label: "Active", tone: "success" })
  })

  it("names the time a block ends, and why", () => {
    const account = makeAccount({
      state: Account_State.BLOCKED,
      blockExpireTime: timestampFromDate(new Date("2026-11-24T14:32:00Z")),
      blockReason: "usage_limit_reached",
    })
    expect(accountStatus(account, NOW, format)).toEqual({
      label: "Blocked until 14:32",
      tone: "warning",
      reason: { code: "usage_limit_reached", text: "Usage limit reached" },
    })
  })

  it("includes the date when a block ends on another day", () => {
    const account = makeAccount({
      state: Account_State.BLOCKED,
      blockExpireTime: timestampFromDate(new Date("2026-11-27T08:00:00Z")),
    })
    expect(accountStatus(account, NOW, format).label).toBe("Blocked until Nov 27, 08:00")
  })

  it("reads Active once the block time has passed", () => {
    const account = makeAccount({
      state: Account_State.BLOCKED,
      blockExpireTime: timestampFromDate(minutesFromNow(-1)),
    })
    expect(accountStatus(account, NOW, format).label).toBe("Active")
  })

  it("reads Blocked without a time when the server gave none", () => {
    expect(accountStatus(makeAccount({ state: Account_State.BLOCKED }), NOW, format)).toEqual({
      label: "Blocked",
      tone: "warning",
      reason: undefined,
    })
  })

  it("asks for a new sign-in, with the reason", () => {
    const account = makeAccount({
      state: Account_State.REAUTH_REQUIRED,
      reauthReason: "refresh_token_reused",
    })
    expect(accountStatus(account, NOW, format)).toEqual({
      label: "Re-auth required",
      tone: "destructive",
      reason: {
        code: "refresh_token_reused",
        text: "Its sign-in was used by another program (the refresh token was already used)",
      },
    })
  })

  it("reads Disabled for the disabled state or enabled = false", () => {
    expect(accountStatus(makeAccount({ state: Account_State.DISABLED }), NOW).label).toBe("Disabled")
    expect(accountStatus(makeAccount({ enabled: false, state: Account_State.BLOCKED }), NOW).label).toBe(
      "Disabled",
    )
  })

  it("reads Unknown for an unspecified state", () => {
    expect(accountStatus(makeAccount({ state: Account_State.UNSPECIFIED }), NOW).tone).toBe("muted")
  })
})

describe("planLabel", () => {
  it.each([
    ["plus", "Plus"],
    ["PRO", "Pro"],
    ["team", "Team"],
    ["free_workspace", "Free Workspace"],
    ["", "Unknown plan"],
    ["  ", "Unknown plan"],
  ])("labels %j as %s", (plan, expected) => {
    expect(planLabel(plan)).toBe(expected)
  })
})

describe("accountTitle", () => {
  it("prefers the label, then the email", () => {
    expect(accountTitle(makeAccount({ label: "Work" }))).toBe("Work")
    expect(accountTitle(makeAccount({ label: "" }))).toBe("ada@example.com")
    expect(accountTitle(makeAccount({ label: undefined }))).toBe("ada@example.com")
  })
})

describe("usageMeters", () => {
  it("is empty without usage", () => {
    expect(usageMeters(makeAccount(), NOW)).toEqual([])
  })

  it("lists the 5-hour window first, then the weekly one, with clamped percentages", () => {
    const meters = usageMeters(makeAccount({ usage: makeUsage([104, 30], [40.4, 3 * 24 * 60]) }), NOW)
    expect(meters).toEqual([
      { name: "5-hour window", percent: 100, resetTime: minutesFromNow(30), reset: false },
      { name: "Weekly window", percent: 40, resetTime: minutesFromNow(3 * 24 * 60), reset: false },
    ])
  })

  it("counts a window whose reset time has passed as 0%", () => {
    const [fiveHour] = usageMeters(makeAccount({ usage: makeUsage([100, -2], [40, 60]) }), NOW)
    expect(fiveHour).toEqual({
      name: "5-hour window",
      percent: 0,
      resetTime: minutesFromNow(-2),
      reset: true,
    })
  })

  it("skips a window the plan does not have", () => {
    const usage = create(AccountUsageSchema, { weekly: create(UsageWindowSchema, { usedPercent: 5 }) })
    expect(usageMeters(makeAccount({ usage }), NOW)).toEqual([
      { name: "Weekly window", percent: 5, resetTime: undefined, reset: false },
    ])
  })
})

describe("effectiveUsedPercent", () => {
  it("is the sample until the reset, 0 from the reset on", () => {
    const window = makeUsage([73, 10], [0, 0]).fiveHour!
    expect(effectiveUsedPercent(window, NOW)).toBe(73)
    expect(effectiveUsedPercent(window, minutesFromNow(10))).toBe(0)
  })
})

describe("usageTone", () => {
  it.each([
    [0, "default"],
    [79, "default"],
    [80, "warning"],
    [100, "warning"],
  ])("colours %i%% of an account that is not blocked as %s, never red", (percent, tone) => {
    expect(usageTone(percent)).toBe(tone)
  })

  it("is red only for a blocked account, whatever the percent", () => {
    expect(usageTone(30, { blocked: true })).toBe("destructive")
  })

  it("greys out a stale sample", () => {
    expect(usageTone(95, { stale: true })).toBe("muted")
  })
})

describe("usageFreshness", () => {
  it("gives the sample's age and marks it stale after 15 minutes", () => {
    const at = (minutes: number) =>
      makeAccount({
        usage: { ...makeUsage([1, 1], [1, 1]), updateTime: timestampFromDate(minutesFromNow(minutes)) },
      })
    expect(usageFreshness(at(-3), NOW)).toEqual({
      observedAt: minutesFromNow(-3),
      ageMs: 180_000,
      stale: false,
    })
    expect(usageFreshness(at(-16), NOW)?.stale).toBe(true)
    expect(usageFreshness(makeAccount(), NOW)).toBeUndefined()
  })
})

describe("isBlocked", () => {
  const now = new Date("2026-11-24T12:00:00Z")
  const blocked = (until?: string) =>
    makeAccount({
      state: Account_State.BLOCKED,
      blockExpireTime: until ? timestampFromDate(new Date(until)) : undefined,
    })

  it("is true while the block lasts, or when it has no end", () => {
    expect(isBlocked(blocked("2026-11-24T12:30:00Z"), now)).toBe(true)
    expect(isBlocked(blocked(), now)).toBe(true)
  })

  it("is false once the block time passed, and for other states", () => {
    expect(isBlocked(blocked("2026-11-24T11:00:00Z"), now)).toBe(false)
    expect(isBlocked(makeAccount(), now)).toBe(false)
  })
})

describe("exportFileName", () => {
  it("names the file after the email, safely", () => {
    expect(exportFileName(makeAccount({ email: "ada+work@example.com" }))).toBe(
      "auth-ada-work-example.com.json",
    )
    expect(exportFileName(makeAccount({ email: "", id: "acc_1" }))).toBe("auth-acc-1.json")
  })
})
