import { describe, expect, it } from "vitest"

import { reconnectDelay, sleep } from "@/lib/backoff"

describe("reconnectDelay", () => {
  it("doubles from one second up to thirty", () => {
    const middle = () => 0.5
    expect([0, 1, 2, 3, 4, 5, 10, 60].map((attempt) => reconnectDelay(attempt, middle))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ])
  })

  it("spreads retries by ±20%", () => {
    expect(reconnectDelay(0, () => 0)).toBe(800)
    expect(reconnectDelay(0, () => 1)).toBe(1_200)
  })
})

describe("sleep", () => {
  it("ends early when aborted", async () => {
    const abort = new AbortController()
    const started = Date.now()
    const done = sleep(10_000, abort.signal)
    abort.abort()
    await done
    expect(Date.now() - started).toBeLessThan(1_000)
  })
})
