import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { Account_State } from "@/lib/gen/multicodex/control/v1/account_pb"
import { isUsable, poolHealth, poolOutage } from "@/lib/pool-health"
import { NOW, makeAccount, makeMeters, makeUsage, meter, meterBlock, minutesFromNow } from "@/test/fixtures"

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
  usage: makeUsage([100, 25], [64, 3000]),
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

describe("pool health per meter", () => {
  const dana = makeAccount({
    id: "d",
    email: "dana@demo.test",
    label: "dana",
    usage: makeMeters(meter.credits(120, 500, 18 * 1440)),
  })
  const frank = makeAccount({
    id: "f",
    email: "frank@demo.test",
    label: "frank",
    usage: makeMeters(meter.weekly(100, 2880), meter.reserve(35, 7200)),
    ...blockedUntil(2880),
    blocks: [meterBlock("weekly", 2880)],
  })

  it("counts a credit-only account on its budget: usable while it lasts, not once the upstream says it is spent", () => {
    const spent = { ...dana, usage: makeMeters(meter.credits(500, 500, 90, true)) }

    expect(poolHealth([dana], NOW).credits).toEqual({ percentLeft: 76, accountsLeft: 0.76, measured: 1 })
    expect(poolHealth([dana], NOW).fiveHour.measured).toBe(0)
    expect(poolHealth([spent], NOW)).toMatchObject({ usable: 0, credits: { percentLeft: 0 } })
    expect(poolHealth([spent], NOW).nextFree?.time).toEqual(minutesFromNow(90))
  })

  it("counts an account on its reserve only as not usable, but names what its reserve still serves", () => {
    const health = poolHealth([frank], NOW)

    expect(health.usable).toBe(0)
    expect(health.reserveOnly.map((a) => a.id)).toEqual(["f"])
    expect(health.reserves).toEqual({ percentLeft: 65, accountsLeft: 0.65, measured: 1 })
    expect(poolOutage(health, NOW, format)).toEqual({
      status: 429,
      headline: "Clients get 429 until Nov 26, 12:00, except for a reserve's model; frank resets first.",
      detail:
        "Every account is blocked or unavailable. The first one is back in 2d; until then /v1 answers 429 with " +
        "Retry-After. Frank's reserve still serves gpt-5.6-luna (model id gpt-reserve).",
    })
  })
})
