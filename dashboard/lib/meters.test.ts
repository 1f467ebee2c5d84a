import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { Account_State } from "@/lib/gen/multicodex/control/v1/account_pb"
import { ordinaryFreeAt, ordinaryOpen, reserveNote, usageMeters } from "@/lib/meters"
import { NOW, makeAccount, makeMeters, meter, meterBlock, minutesFromNow } from "@/test/fixtures"

const blockedOrdinary = (minutes: number, meterKey = "weekly") => ({
  state: Account_State.BLOCKED,
  blockExpireTime: timestampFromDate(minutesFromNow(minutes)),
  blockReason: "usage_limit_reached",
  blocks: [meterBlock(meterKey, minutes)],
})

describe("usageMeters for each usage shape", () => {
  it("weekly-only: one weekly window and no 5-hour one", () => {
    const meters = usageMeters(makeAccount({ usage: makeMeters(meter.weekly(70, 3 * 1440)) }), NOW)

    expect(meters.map((m) => [m.key, m.kind, m.name, m.percent])).toEqual([
      ["weekly", "weekly", "Weekly window", 70],
    ])
  })

  it("credit-only: the budget with what is spent of its limit", () => {
    const [credits] = usageMeters(makeAccount({ usage: makeMeters(meter.credits(120, 500, 18 * 1440)) }), NOW)

    expect(credits).toMatchObject({
      key: "credits",
      kind: "credits",
      name: "Credit budget",
      percent: 24,
      detail: "120.00 of 500.00 credits spent",
      resetTime: minutesFromNow(18 * 1440),
      ordinary: true,
      spent: false,
    })
  })

  it("a credit budget the upstream says is reached is spent, whatever its percentage", () => {
    const [credits] = usageMeters(makeAccount({ usage: makeMeters(meter.credits(99, 100, 60, true)) }), NOW)

    expect(credits!.spent).toBe(true)
  })

  it("a reserve names the model it serves and the model id that spends it", () => {
    const meters = usageMeters(
      makeAccount({ usage: makeMeters(meter.weekly(100, 2880), meter.reserve(35, 5 * 1440)) }),
      NOW,
    )

    expect(meters[1]).toMatchObject({
      key: "reserve:gpt-reserve",
      kind: "reserve",
      name: "Reserve for gpt-5.6-luna",
      detail: "Model id gpt-reserve",
      percent: 35,
      ordinary: false,
    })
  })

  it("a window of another length keeps its length in its name", () => {
    const [monthly] = usageMeters(makeAccount({ usage: makeMeters(meter.window(30, 12, 60)) }), NOW)

    expect([monthly!.key, monthly!.kind, monthly!.name]).toEqual(["window:43200m", "window", "30-day window"])
  })
})

describe("blocks per meter", () => {
  it("an ordinary block makes the windows red, not the reserve that still serves", () => {
    const account = makeAccount({
      usage: makeMeters(meter.weekly(100, 2880), meter.reserve(35, 7200)),
      ...blockedOrdinary(2880),
    })
    const [weekly, reserve] = usageMeters(account, NOW)

    expect([weekly!.blocked, reserve!.blocked]).toEqual([true, false])
    expect(ordinaryOpen(account, NOW)).toBe(false)
    expect(reserveNote(account, NOW)).toBe("Its reserve still serves gpt-5.6-luna (model id gpt-reserve)")
  })

  it("a block on the reserve leaves the ordinary meters open", () => {
    const account = makeAccount({
      usage: makeMeters(meter.weekly(40, 2880), meter.reserve(100, 7200)),
      blocks: [meterBlock("reserve:gpt-reserve", 7200)],
    })
    const [weekly, reserve] = usageMeters(account, NOW)

    expect([weekly!.blocked, reserve!.blocked, reserve!.spent]).toEqual([false, true, true])
    expect(ordinaryOpen(account, NOW)).toBe(true)
    expect(reserveNote(account, NOW)).toBeUndefined()
  })

  it("a workspace stop blocks every meter, the reserve included", () => {
    const account = makeAccount({
      usage: makeMeters(meter.weekly(40, 2880), meter.reserve(10, 7200)),
      ...blockedOrdinary(180, "workspace"),
    })

    expect(usageMeters(account, NOW).map((m) => m.blocked)).toEqual([true, true])
    expect(reserveNote(account, NOW)).toBeUndefined()
  })

  it("a spent ordinary meter keeps the account out until it resets, even without a block", () => {
    const account = makeAccount({ usage: makeMeters(meter.credits(500, 500, 90, true)) })

    expect(ordinaryOpen(account, NOW)).toBe(false)
    expect(ordinaryFreeAt(account, NOW)).toEqual(minutesFromNow(90))
    expect(ordinaryOpen(account, minutesFromNow(91))).toBe(true)
  })
})
