import { durationMs } from "@bufbuild/protobuf/wkt"

import { Event_Type } from "@/lib/gen/multicodex/control/v1/event_pb"
import type { DeliveryAttempt } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import type { StatusTone } from "@/lib/accounts"

export interface EventTypeInfo {
  type: Event_Type
  label: string
  description: string
}

/** The event types a webhook can ask for, in the order the form lists them (README, Alerts). */
export const EVENT_TYPES: EventTypeInfo[] = [
  { type: Event_Type.ACCOUNT_BLOCKED, label: "Account blocked", description: "an account hit its quota" },
  {
    type: Event_Type.ACCOUNT_UNBLOCKED,
    label: "Account unblocked",
    description: "a blocked account can serve again",
  },
  {
    type: Event_Type.REAUTH_REQUIRED,
    label: "Re-auth required",
    description: "an account must be signed in again",
  },
  {
    type: Event_Type.REFRESH_FAILING,
    label: "Refresh failing",
    description: "token refreshes started failing",
  },
  { type: Event_Type.POOL_EXHAUSTED, label: "Pool exhausted", description: "no account can serve requests" },
  { type: Event_Type.POOL_RECOVERED, label: "Pool recovered", description: "an account can serve again" },
  {
    type: Event_Type.KEY_BUDGET_REACHED,
    label: "Key budget reached",
    description: "a client key used up a budget",
  },
]

/** A type's name for people: "Pool exhausted"; the test event is "Test event". */
export function eventTypeLabel(type: Event_Type): string {
  if (type === Event_Type.WEBHOOK_TEST) {
    return "Test event"
  }
  return EVENT_TYPES.find((info) => info.type === type)?.label ?? "Unknown event"
}

/** What a webhook's filter sends: "All events", or the labels of its types. */
export function describeFilter(types: Event_Type[]): string {
  if (types.length === 0) {
    return "All events"
  }
  return EVENT_TYPES.filter((info) => types.includes(info.type))
    .map((info) => info.label)
    .join(", ")
}

export interface AttemptOutcome {
  label: string
  tone: StatusTone
}

/** How an attempt ended: "200", "HTTP 500 · retrying", "Failed", or "Dropped" when it never went out. */
export function attemptOutcome(attempt: DeliveryAttempt): AttemptOutcome {
  if (attempt.success) {
    return { label: `Delivered (${attempt.statusCode})`, tone: "success" }
  }
  if (attempt.attempt === 0) {
    return { label: "Dropped", tone: "muted" }
  }
  if (attempt.nextAttemptTime) {
    return { label: "Failed, retrying", tone: "warning" }
  }
  return { label: "Failed", tone: "destructive" }
}

/** The attempt's duration in milliseconds (or seconds past 10 s): "84 ms", "12.3 s". */
export function formatAttemptDuration(attempt: DeliveryAttempt): string {
  const duration = attempt.duration
  if (!duration) {
    return "—"
  }
  const ms = durationMs(duration)
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
