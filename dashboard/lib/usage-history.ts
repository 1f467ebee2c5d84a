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

/**
 * The time axis: from the first sample (or an hour ago, whichever is earlier) to now, so that a first sample is not
 * alone on a collapsed axis; with `count` evenly spaced ticks.
 */
export function usageDomain(
  points: UsagePoint[],
  now: Date,
  count = 4,
): { domain: [number, number]; ticks: number[] } {
  const end = Math.max(now.getTime(), points.at(-1)?.time ?? 0)
  const start = Math.min(end - HOUR, points[0]?.time ?? end)
  const step = (end - start) / (count - 1)
  return {
    domain: [start, end],
    ticks: Array.from({ length: count }, (_, i) => Math.round(start + i * step)),
  }
}
