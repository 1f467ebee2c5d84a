import { create } from "@bufbuild/protobuf"
import { durationFromMs } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { RequestEntrySchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { accountLabeler, durationMs, formatCount, formatMs, requestStatus } from "@/lib/requests"

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
  const entry = (statusCode: number, errorCode = "", blockedAccount = false) =>
    create(RequestEntrySchema, { statusCode, errorCode, blockedAccount })

  it("is green for a success", () => {
    expect(requestStatus(entry(200))).toMatchObject({ label: "200", tone: "success" })
  })

  it("is red with the code for an error, also inside a 200 stream", () => {
    expect(requestStatus(entry(429, "usage_limit_reached", true))).toEqual({
      label: "429 usage_limit_reached",
      tone: "destructive",
      description: "Failed: 429 usage_limit_reached; the account was blocked",
    })
    expect(requestStatus(entry(200, "server_error"))).toMatchObject({
      label: "200 server_error",
      tone: "destructive",
    })
    expect(requestStatus(entry(502))).toMatchObject({ label: "502", tone: "destructive" })
  })

  it("is muted when nothing was recorded", () => {
    expect(requestStatus(entry(0))).toMatchObject({ label: "—", tone: "muted" })
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
