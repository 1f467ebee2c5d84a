import { describe, expect, it } from "vitest"

import {
  clampPercent,
  formatAge,
  formatClock,
  formatCountdown,
  formatDateTime,
  formatPercent,
  formatRelativeTime,
  formatResetsIn,
  withEllipsis,
} from "@/lib/format"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe("formatCountdown", () => {
  it.each([
    [0, "now"],
    [-5 * MINUTE, "now"],
    [30_000, "<1m"],
    [MINUTE, "1m"],
    [42 * MINUTE, "42m"],
    [42 * MINUTE + 1_000, "43m"],
    [HOUR, "1h"],
    [3 * HOUR + 5 * MINUTE, "3h 5m"],
    [DAY, "1d"],
    [2 * DAY + 4 * HOUR, "2d 4h"],
    [6 * DAY + 23 * HOUR + 59 * MINUTE, "6d 23h"],
  ])("formats %i ms as %s", (milliseconds, expected) => {
    expect(formatCountdown(milliseconds)).toBe(expected)
  })
})

describe("formatAge", () => {
  it.each([
    [0, "<1m"],
    [59_000, "<1m"],
    [MINUTE + 59_000, "1m"],
    [3 * HOUR + 5 * MINUTE + 30_000, "3h 5m"],
    [2 * DAY + 4 * HOUR + 59 * MINUTE, "2d 4h"],
  ])("formats %i ms as %s (rounded down)", (milliseconds, expected) => {
    expect(formatAge(milliseconds)).toBe(expected)
  })
})

describe("formatResetsIn", () => {
  const now = new Date("2026-11-24T12:00:00Z")

  it("counts down to a future reset", () => {
    expect(formatResetsIn(new Date("2026-11-24T15:05:00Z"), now)).toBe("resets in 3h 5m")
  })

  it("says now once the reset has passed", () => {
    expect(formatResetsIn(new Date("2026-11-24T11:00:00Z"), now)).toBe("resets now")
  })
})

describe("formatPercent", () => {
  it.each([
    [0, "0%"],
    [12.4, "12%"],
    [12.5, "13%"],
    [100, "100%"],
    [140, "100%"],
    [-3, "0%"],
    [Number.NaN, "0%"],
  ])("formats %d as %s", (value, expected) => {
    expect(formatPercent(value)).toBe(expected)
  })

  it("clamps without formatting", () => {
    expect(clampPercent(99.6)).toBe(100)
  })
})

describe("formatDateTime", () => {
  const format = { locale: "en-US", timeZone: "UTC" }
  const now = new Date("2026-11-24T12:00:00Z")

  it("shows only the time on the same day", () => {
    expect(formatDateTime(new Date("2026-11-24T14:32:00Z"), now, format)).toBe("14:32")
  })

  it("adds the date on another day of the same year", () => {
    expect(formatDateTime(new Date("2026-11-25T09:05:00Z"), now, format)).toBe("Nov 25, 09:05")
  })

  it("adds the year in another year", () => {
    expect(formatDateTime(new Date("2027-01-02T09:05:00Z"), now, format)).toBe("Jan 2, 2027, 09:05")
  })

  it("decides 'same day' in the given time zone", () => {
    // 23:30 UTC on the 24th is already the 25th in Tokyo.
    const tokyo = { locale: "en-US", timeZone: "Asia/Tokyo" }
    expect(formatDateTime(new Date("2026-11-24T23:30:00Z"), now, tokyo)).toBe("Nov 25, 08:30")
  })
})

describe("formatRelativeTime", () => {
  const now = new Date("2026-11-24T12:00:00Z")
  const at = (ms: number) => new Date(now.getTime() + ms)

  it.each([
    [-20_000, "just now"],
    [-5 * MINUTE, "5 minutes ago"],
    [-3 * HOUR, "3 hours ago"],
    [-DAY, "yesterday"],
    [-3 * DAY, "3 days ago"],
    [2 * HOUR, "in 2 hours"],
  ])("formats %i ms from now as %s", (offset, expected) => {
    expect(formatRelativeTime(at(offset), now, { locale: "en" })).toBe(expected)
  })
})

describe("formatClock", () => {
  const format = { locale: "en-US", timeZone: "UTC" }
  const now = new Date("2026-11-24T12:00:00Z")

  it("shows seconds for today, and the date otherwise", () => {
    expect(formatClock(new Date("2026-11-24T09:05:07Z"), now, format)).toBe("09:05:07")
    expect(formatClock(new Date("2026-11-23T09:05:07Z"), now, format)).toBe("Nov 23, 09:05")
  })
})

describe("withEllipsis", () => {
  it("marks a prefix as cut once", () => {
    expect(withEllipsis("mcx_Ab3d")).toBe("mcx_Ab3d…")
    expect(withEllipsis("mcx_Ab3d…")).toBe("mcx_Ab3d…")
  })
})
