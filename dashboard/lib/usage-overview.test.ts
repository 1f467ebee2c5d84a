import { create } from "@bufbuild/protobuf"
import { describe, expect, it } from "vitest"

import { UsageFiguresSchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { formatRate, overviewInput } from "@/lib/usage-overview"

describe("overviewInput", () => {
  it("asks for the chosen window", () => {
    expect(Number(overviewInput("7d").window.seconds)).toBe(7 * 24 * 3600)
    expect(Number(overviewInput("28d").window.seconds)).toBe(28 * 24 * 3600)
  })
})

describe("formatRate", () => {
  it("shows the cache hit rate as a whole percentage, or a dash without input", () => {
    expect(
      formatRate(
        create(UsageFiguresSchema, { inputTokens: 200n, cachedInputTokens: 122n, cacheHitRate: 0.61 }),
      ),
    ).toBe("61 %")
    expect(formatRate(create(UsageFiguresSchema, {}))).toBe("—")
    expect(formatRate(undefined)).toBe("—")
  })
})
