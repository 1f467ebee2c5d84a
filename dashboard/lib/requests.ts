import type { Duration } from "@bufbuild/protobuf/wkt"

import type { RequestEntry } from "@/lib/gen/multicodex/control/v1/usage_service_pb"

/** A protobuf Duration in milliseconds; undefined when absent. */
export function durationMs(duration: Duration | undefined): number | undefined {
  return duration ? Number(duration.seconds) * 1000 + duration.nanos / 1e6 : undefined
}

/** "850 ms", "2.4 s", "1m 5s"; an em dash when unknown. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) {
    return "—"
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`
  }
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`
}

/** 1234 → "1,234" (int64 arrives as bigint). */
export function formatCount(value: bigint | number): string {
  return new Intl.NumberFormat("en-US").format(value)
}

export interface RequestStatus {
  label: string
  tone: "success" | "destructive" | "muted"
  /** Spelled out for the title and screen readers. */
  description: string
}

/** The status badge: "200" in green; an error in red with its code ("429 usage_limit_reached"). */
export function requestStatus(entry: RequestEntry): RequestStatus {
  const code = entry.statusCode
  const error = entry.errorCode
  if (!code && !error) {
    return { label: "—", tone: "muted", description: "No upstream answer recorded" }
  }
  const failed = Boolean(error) || code >= 400
  const label = [code || null, error || null].filter(Boolean).join(" ")
  return {
    label,
    tone: failed ? "destructive" : "success",
    description: failed
      ? `Failed: ${label}${entry.blockedAccount ? "; the account was blocked" : ""}`
      : `OK (${code})`,
  }
}

/** The label to show for an account id, from the account list; the id itself when it is not (or no longer) there. */
export function accountLabeler(accounts: { id: string; label?: string; email: string }[]) {
  const byId = new Map(accounts.map((a) => [a.id, a.label?.trim() || a.email || a.id]))
  return (id: string) => (id ? (byId.get(id) ?? id) : "—")
}
