import { create } from "@bufbuild/protobuf"
import { durationFromMs, timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { RequestEntrySchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import {
  accountLabeler,
  activeFilterCount,
  durationMs,
  failoverChain,
  filtersFromParams,
  filtersToParams,
  formatCount,
  formatMs,
  listRequestsInput,
  requestStatus,
} from "@/lib/requests"

describe("durationMs and formatMs", () => {
  it.each([
    [undefined, "—"],
    [0, "0 ms"],
    [849.6, "850 ms"],
    [2_350, "2.4 s"],
    [65_000, "1m 5s"],
  ])("formats %s ms as %s", (ms, expected) => {
    expect(formatMs(ms)).toBe(expected)
  })

  it("reads a protobuf Duration", () => {
    expect(durationMs(durationFromMs(1_250))).toBe(1_250)
    expect(durationMs(undefined)).toBeUndefined()
  })
})

describe("formatCount", () => {
  it("groups thousands, bigint or number", () => {
    expect(formatCount(1234567n)).toBe("1,234,567")
    expect(formatCount(12)).toBe("12")
  })
})

describe("requestStatus", () => {
  const entry = (statusCode: number, errorCode = "") => create(RequestEntrySchema, { statusCode, errorCode })

  it("is green for a success", () => {
    expect(requestStatus(entry(200))).toMatchObject({ label: "200", tone: "success", reason: undefined })
  })

  it("is red with the reason in words (and its code) for an error, also inside a 200 stream", () => {
    expect(requestStatus(entry(429, "usage_limit_reached"))).toEqual({
      label: "429",
      tone: "destructive",
      reason: { code: "usage_limit_reached", text: "Usage limit reached" },
      description: "Failed: 429 (Usage limit reached)",
    })
    expect(requestStatus(entry(200, "server_error"))).toMatchObject({
      label: "200",
      tone: "destructive",
      reason: { code: "server_error" },
    })
    expect(requestStatus(entry(502))).toMatchObject({ label: "502", tone: "destructive" })
  })

  it("is muted when nothing was recorded", () => {
    expect(requestStatus(entry(0))).toMatchObject({ label: "—", tone: "muted" })
  })
})

describe("request filters in the URL", () => {
  it("reads the known filters and leaves out empty ones", () => {
    expect(filtersFromParams(new URLSearchParams("account=acc_a&key=&status=4xx&range=24h&other=1"))).toEqual(
      {
        account: "acc_a",
        status: "4xx",
        range: "24h",
      },
    )
  })

  it("writes them back, keeping unrelated parameters and dropping cleared filters", () => {
    const params = filtersToParams(
      { key: "laptop", status: undefined },
      new URLSearchParams("status=5xx&tab=x"),
    )
    expect(params.toString()).toBe("tab=x&key=laptop")
    expect(activeFilterCount({ key: "laptop", model: "gpt-5.5" })).toBe(2)
  })

  it("turns them into a ListRequests call, a range into a start time rounded to the minute", () => {
    const now = new Date("2026-07-01T12:34:56Z")
    const input = listRequestsInput(
      { account: "acc_a", key: "ci", status: "error", range: "1h" },
      now,
      50,
      "tok",
    )
    expect(input).toMatchObject({
      accountId: "acc_a",
      clientName: "ci",
      status: "error",
      pageSize: 50,
      pageToken: "tok",
    })
    expect(timestampDate(input.startTime as Timestamp).toISOString()).toBe("2026-07-01T11:34:00.000Z")
    expect(listRequestsInput({}, now, 50).startTime).toBeUndefined()
  })
})

describe("failoverChain", () => {
  it("names each attempt's account in order, by label or the recorded email", () => {
    const entry = create(RequestEntrySchema, {
      attempts: [
        { attempt: 1, accountId: "a", accountEmail: "alice@example.com" },
        { attempt: 2, accountId: "gone", accountEmail: "erin@example.com" },
      ],
    })
    expect(
      failoverChain(entry, accountLabeler([{ id: "a", label: "Alice", email: "alice@example.com" }])),
    ).toBe("Alice → erin@example.com")
  })
})

describe("accountLabeler", () => {
  const labelOf = accountLabeler([
    { id: "a", label: "Work", email: "a@example.com" },
    { id: "b", label: " ", email: "b@example.com" },
  ])

  it("maps ids to labels, then emails, then the id itself", () => {
    expect(labelOf("a")).toBe("Work")
    expect(labelOf("b")).toBe("b@example.com")
    expect(labelOf("gone")).toBe("gone")
    expect(labelOf("")).toBe("—")
  })
})
