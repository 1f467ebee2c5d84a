import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { UsageSampleSchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { latestUsage, usageDomain, usageSeries } from "@/lib/usage-history"

const at = (iso: string) => timestampFromDate(new Date(iso))

describe("usageSeries", () => {
  it("groups samples per account in time order, keeping unknown windows unknown", () => {
    const samples = [
      create(UsageSampleSchema, {
        accountId: "a",
        time: at("2026-11-24T10:00:00Z"),
        fiveHourUsedPercent: 10,
        weeklyUsedPercent: 40,
      }),
      create(UsageSampleSchema, { accountId: "b", time: at("2026-11-24T10:05:00Z"), weeklyUsedPercent: 80 }),
      create(UsageSampleSchema, {
        accountId: "a",
        time: at("2026-11-24T10:10:00Z"),
        fiveHourUsedPercent: 12,
      }),
      create(UsageSampleSchema, { accountId: "a" }),
    ]

    const series = usageSeries(samples)

    expect([...series.keys()]).toEqual(["a", "b"])
    expect(series.get("a")).toEqual([
      { time: Date.parse("2026-11-24T10:00:00Z"), fiveHour: 10, weekly: 40 },
      { time: Date.parse("2026-11-24T10:10:00Z"), fiveHour: 12, weekly: undefined },
    ])
    expect(series.get("b")).toEqual([
      { time: Date.parse("2026-11-24T10:05:00Z"), fiveHour: undefined, weekly: 80 },
    ])
  })
})

describe("latestUsage", () => {
  it("takes each window's newest known value", () => {
    expect(
      latestUsage([
        { time: 1, fiveHour: 10, weekly: 40 },
        { time: 2, fiveHour: 12 },
      ]),
    ).toEqual({ fiveHour: 12, weekly: 40 })
    expect(latestUsage([])).toEqual({ fiveHour: undefined, weekly: undefined })
  })
})

describe("usageDomain", () => {
  const now = new Date("2026-11-24T12:00:00Z")
  const HOUR = 3_600_000

  it("spans at least the last hour up to now, so a single sample is not alone", () => {
    const { domain, ticks } = usageDomain([{ time: now.getTime() - 60_000, fiveHour: 5 }], now)
    expect(domain).toEqual([now.getTime() - HOUR, now.getTime()])
    expect(ticks).toEqual([0, 1, 2, 3].map((i) => now.getTime() - HOUR + (i * HOUR) / 3))
  })

  it("starts at the first sample when that is older", () => {
    const first = now.getTime() - 3 * 24 * HOUR
    expect(usageDomain([{ time: first }, { time: now.getTime() - HOUR }], now).domain).toEqual([
      first,
      now.getTime(),
    ])
  })
})
