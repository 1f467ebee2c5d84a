import { timestampDate } from "@bufbuild/protobuf/wkt"

import type { UsageSample } from "@/lib/gen/multicodex/control/v1/usage_service_pb"

/** One point of an account's usage chart: when, and each window's used percent where known. */
export interface UsagePoint {
  time: number
  fiveHour?: number
  weekly?: number
}

/** Groups samples (oldest first) into one series per account, keeping the accounts' first-seen order. */
export function usageSeries(samples: UsageSample[]): Map<string, UsagePoint[]> {
  const series = new Map<string, UsagePoint[]>()
  for (const sample of samples) {
    if (!sample.time) {
      continue
    }
    const points = series.get(sample.accountId) ?? []
    points.push({
      time: timestampDate(sample.time).getTime(),
      fiveHour: sample.fiveHourUsedPercent,
      weekly: sample.weeklyUsedPercent,
    })
    series.set(sample.accountId, points)
  }
  for (const points of series.values()) {
    points.sort((a, b) => a.time - b.time)
  }
  return series
}

/** The newest known value of each window, for the chart's text summary. */
export function latestUsage(points: UsagePoint[]): { fiveHour?: number; weekly?: number } {
  const last = (key: "fiveHour" | "weekly") => [...points].reverse().find((p) => p[key] !== undefined)?.[key]
  return { fiveHour: last("fiveHour"), weekly: last("weekly") }
}

const HOUR = 3_600_000

/** The time ranges the usage charts offer; the history itself reaches back seven days. */
export const usageRanges = [
  { value: "1h", label: "1 hour", ms: HOUR },
  { value: "6h", label: "6 hours", ms: 6 * HOUR },
  { value: "24h", label: "24 hours", ms: 24 * HOUR },
  { value: "7d", label: "7 days", ms: 7 * 24 * HOUR },
] as const

export type UsageRange = (typeof usageRanges)[number]["value"]

export function rangeMs(range: UsageRange): number {
  return usageRanges.find((r) => r.value === range)?.ms ?? 24 * HOUR
}

/**
 * The points to draw for the last `spanMs` up to `now`: those inside it, plus the last one before it, so that a
 * line starts at the chart's left edge instead of at the first sample inside the range.
 */
export function pointsInRange(points: UsagePoint[], now: Date, spanMs: number): UsagePoint[] {
  const start = now.getTime() - spanMs
  const firstInside = points.findIndex((p) => p.time >= start)
  if (firstInside < 0) {
    return points.slice(-1)
  }
  return points.slice(Math.max(0, firstInside - 1))
}

/** The time axis: the chosen range, ending now, with `count` evenly spaced ticks. */
export function usageDomain(
  now: Date,
  spanMs: number,
  count = 4,
): { domain: [number, number]; ticks: number[] } {
  const end = now.getTime()
  const start = end - spanMs
  const step = (end - start) / (count - 1)
  return {
    domain: [start, end],
    ticks: Array.from({ length: count }, (_, i) => Math.round(start + i * step)),
  }
}
