import { create } from "@bufbuild/protobuf"
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { Event_Type } from "@/lib/gen/multicodex/control/v1/event_pb"
import { DeliveryAttemptSchema } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { attemptOutcome, describeFilter, eventTypeLabel, formatAttemptDuration } from "@/lib/webhooks"
import { NOW } from "@/test/fixtures"

const attempt = (overrides: Parameters<typeof create<typeof DeliveryAttemptSchema>>[1] = {}) =>
  create(DeliveryAttemptSchema, { attempt: 1, time: timestampFromDate(NOW), ...overrides })

describe("describeFilter", () => {
  it("says all events when no type is chosen", () => {
    expect(describeFilter([])).toBe("All events")
  })

  it("lists the chosen types in the form's order", () => {
    expect(describeFilter([Event_Type.POOL_EXHAUSTED, Event_Type.ACCOUNT_BLOCKED])).toBe(
      "Account blocked, Pool exhausted",
    )
  })
})

describe("eventTypeLabel", () => {
  it("names every type, the test event included", () => {
    expect(eventTypeLabel(Event_Type.REAUTH_REQUIRED)).toBe("Re-auth required")
    expect(eventTypeLabel(Event_Type.WEBHOOK_TEST)).toBe("Test event")
    expect(eventTypeLabel(Event_Type.UNSPECIFIED)).toBe("Unknown event")
  })
})

describe("attemptOutcome", () => {
  it("tells delivered, retrying, failed for good and dropped apart", () => {
    expect(attemptOutcome(attempt({ success: true, statusCode: 204 }))).toEqual({
      label: "Delivered (204)",
      tone: "success",
    })
    expect(
      attemptOutcome(
        attempt({ statusCode: 500, error: "HTTP 500", nextAttemptTime: timestampFromDate(NOW) }),
      ),
    ).toEqual({ label: "Failed, retrying", tone: "warning" })
    expect(attemptOutcome(attempt({ statusCode: 404, error: "HTTP 404" }))).toEqual({
      label: "Failed",
      tone: "destructive",
    })
    expect(attemptOutcome(attempt({ attempt: 0, error: "Dropped: queue full" }))).toEqual({
      label: "Dropped",
      tone: "muted",
    })
  })
})

describe("formatAttemptDuration", () => {
  it("shows milliseconds, and seconds for long attempts", () => {
    expect(formatAttemptDuration(attempt({ duration: durationFromMs(84.4) }))).toBe("84 ms")
    expect(formatAttemptDuration(attempt({ duration: durationFromMs(12_340) }))).toBe("12.3 s")
    expect(formatAttemptDuration(attempt())).toBe("—")
  })
})
