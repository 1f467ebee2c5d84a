import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { UsageSampleSchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { latestUsage, pointsInRange, rangeMs, usageDomain, usageSeries } from "@/lib/usage-history"

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

  it("spans the chosen range up to now, with evenly spaced ticks", () => {
    const { domain, ticks } = usageDomain(now, 6 * HOUR)
    expect(domain).toEqual([now.getTime() - 6 * HOUR, now.getTime()])
    expect(ticks).toEqual([0, 1, 2, 3].map((i) => now.getTime() - 6 * HOUR + i * 2 * HOUR))
  })
})

describe("pointsInRange", () => {
  const now = new Date("2026-11-24T12:00:00Z")
  const at = (hoursAgo: number) => ({ time: now.getTime() - hoursAgo * 3_600_000, fiveHour: hoursAgo })

  it("keeps the points inside the range and the last one before it, so lines reach the left edge", () => {
    const points = [at(30), at(20), at(5), at(1)]
    expect(pointsInRange(points, now, rangeMs("6h"))).toEqual([at(20), at(5), at(1)])
    expect(pointsInRange(points, now, rangeMs("7d"))).toEqual(points)
  })

  it("keeps the newest point when none is inside the range", () => {
    expect(pointsInRange([at(30), at(20)], now, rangeMs("1h"))).toEqual([at(20)])
    expect(pointsInRange([], now, rangeMs("1h"))).toEqual([])
  })
})
