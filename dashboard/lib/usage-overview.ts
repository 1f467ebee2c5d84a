import { durationFromMs } from "@bufbuild/protobuf/wkt"

import type { UsageFigures } from "@/lib/gen/multicodex/control/v1/usage_service_pb"

const DAY = 24 * 3_600_000

/** The windows the overview and the keys page offer. */
export const overviewRanges = [
  { value: "24h", label: "24 hours", ms: DAY },
  { value: "7d", label: "7 days", ms: 7 * DAY },
  { value: "28d", label: "28 days", ms: 28 * DAY },
] as const

export type OverviewRange = (typeof overviewRanges)[number]["value"]

export const overviewRangeValues = overviewRanges.map((r) => r.value)

/** The GetUsageOverview call for a range. */
export function overviewInput(range: OverviewRange) {
  return { window: durationFromMs(overviewRanges.find((r) => r.value === range)?.ms ?? DAY) }
}

/** "61 %" for a hit rate of 0.61; an em dash without input tokens. */
export function formatRate(figures: Pick<UsageFigures, "cacheHitRate" | "inputTokens"> | undefined): string {
  if (!figures || figures.inputTokens === 0n) {
    return "—"
  }
  return `${Math.round(figures.cacheHitRate * 100)} %`
}
