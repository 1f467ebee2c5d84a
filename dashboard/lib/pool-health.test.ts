import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { Account_State } from "@/lib/gen/multicodex/control/v1/account_pb"
import { isUsable, poolHealth, poolOutage } from "@/lib/pool-health"
import { NOW, makeAccount, makeUsage, minutesFromNow } from "@/test/fixtures"

const format = { locale: "en-US", timeZone: "UTC" }
const blockedUntil = (minutes: number) => ({
  state: Account_State.BLOCKED,
  blockExpireTime: timestampFromDate(minutesFromNow(minutes)),
  blockReason: "usage_limit_reached",
})
const alice = makeAccount({
  id: "a",
  email: "alice@demo.test",
  label: "alice@demo.test",
  usage: makeUsage([20, 60], [40, 3000]),
})
const bob = makeAccount({
  id: "b",
  email: "bob@demo.test",
  label: "bob@demo.test",
  usage: makeUsage([50, 60], [80, 3000]),
})
const erin = makeAccount({
  id: "e",
  email: "erin@demo.test",
  label: "erin",
  usage: makeUsage([100, 30], [64, 3000]),
})

describe("isUsable", () => {
  it("is true for an active account and for one whose block has ended", () => {
    expect(isUsable(alice, NOW)).toBe(true)
    expect(isUsable({ ...alice, ...blockedUntil(-1) }, NOW)).toBe(true)
  })

  it("is false while blocked, signed out or disabled", () => {
    expect(isUsable({ ...alice, ...blockedUntil(10) }, NOW)).toBe(false)
    expect(isUsable({ ...alice, state: Account_State.REAUTH_REQUIRED }, NOW)).toBe(false)
    expect(isUsable({ ...alice, enabled: false }, NOW)).toBe(false)
    expect(isUsable({ ...alice, state: Account_State.DISABLED }, NOW)).toBe(false)
  })
})

describe("poolHealth", () => {
  it("counts usable accounts and names the blocked one that frees up first", () => {
    const health = poolHealth([alice, { ...bob, ...blockedUntil(90) }, { ...erin, ...blockedUntil(25) }], NOW)

    expect(health.total).toBe(3)
    expect(health.usable).toBe(1)
    expect(health.blocked.map((a) => a.id)).toEqual(["e", "b"])
    expect(health.nextFree).toEqual({
      account: expect.objectContaining({ id: "e" }),
      time: minutesFromNow(25),
    })
  })

  it("adds up headroom over the signed-in accounts; a blocked account has none left until its block ends", () => {
    const health = poolHealth([alice, bob, { ...erin, ...blockedUntil(25) }], NOW)

    // 5-hour: alice 80 left + bob 50 left + erin (blocked) 0, over three measured accounts.
    expect(health.fiveHour).toEqual({ percentLeft: 43, accountsLeft: 1.3, measured: 3 })
    expect(health.weekly).toEqual({ percentLeft: 27, accountsLeft: 0.8, measured: 3 })
  })

  it("counts a window whose reset has passed as empty, whatever the last sample said", () => {
    const full = makeAccount({ usage: makeUsage([100, -5], [100, -1]) })

    expect(poolHealth([full], NOW).fiveHour.percentLeft).toBe(100)
    expect(poolHealth([full], NOW).weekly.percentLeft).toBe(100)
  })

  it("leaves out disabled and signed-out accounts, and accounts that report no usage", () => {
    const health = poolHealth(
      [
        alice,
        { ...bob, enabled: false },
        { ...erin, state: Account_State.REAUTH_REQUIRED },
        makeAccount({ id: "n" }),
      ],
      NOW,
    )

    expect(health).toMatchObject({ usable: 2, reauth: 1, disabled: 1 })
    expect(health.fiveHour.measured).toBe(1)
  })

  it("reports no headroom figure when no account reports the window", () => {
    expect(poolHealth([makeAccount()], NOW).weekly).toEqual({
      percentLeft: undefined,
      accountsLeft: 0,
      measured: 0,
    })
  })
})

describe("poolOutage", () => {
  it("is quiet while one account is usable, and for an empty pool", () => {
    expect(poolOutage(poolHealth([alice, { ...erin, ...blockedUntil(10) }], NOW), NOW)).toBeUndefined()
    expect(poolOutage(poolHealth([], NOW), NOW)).toBeUndefined()
  })

  it("says clients get 429 until the first block ends, and whose", () => {
    const health = poolHealth(
      [
        { ...alice, ...blockedUntil(120) },
        { ...erin, ...blockedUntil(78) },
        { ...bob, state: Account_State.REAUTH_REQUIRED },
      ],
      NOW,
    )

    expect(poolOutage(health, NOW, format)).toEqual({
      status: 429,
      headline: "Clients get 429 until 13:18; erin resets first.",
      detail:
        "Every account is blocked or unavailable. The first one is back in 1h 18m; until then /v1 answers 429 with Retry-After.",
    })
  })

  it("says clients get 503 when no account is even signed in and enabled", () => {
    const health = poolHealth(
      [
        { ...alice, state: Account_State.REAUTH_REQUIRED },
        { ...bob, enabled: false },
        { ...erin, enabled: false },
      ],
      NOW,
    )

    expect(poolOutage(health, NOW)).toEqual({
      status: 503,
      headline: "Clients get 503: no account can serve requests.",
      detail: "1 account needs a new sign-in, 2 accounts are disabled.",
    })
  })
})
