import type { Duration } from "@bufbuild/protobuf/wkt"
import { durationMs as protobufDurationMs, timestampFromDate } from "@bufbuild/protobuf/wkt"

import type { MessageInitShape } from "@bufbuild/protobuf"

import type {
  ListRequestsRequestSchema,
  RequestAttempt,
  RequestEntry,
} from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { describeReason, type Reason } from "@/lib/reasons"

/** A protobuf Duration in milliseconds; undefined when absent. */
export function durationMs(duration: Duration | undefined): number | undefined {
  return duration ? protobufDurationMs(duration) : undefined
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
  /** The error in words (its code for the tooltip); undefined on success. */
  reason?: Reason
  /** Spelled out for the title and screen readers. */
  description: string
}

/** The status badge of a request or an attempt: "200" in green; an error in red, with its reason in words. */
export function requestStatus(
  entry: Pick<RequestEntry | RequestAttempt, "statusCode" | "errorCode">,
): RequestStatus {
  const code = entry.statusCode
  const error = entry.errorCode
  if (!code && !error) {
    return { label: "—", tone: "muted", description: "No answer recorded" }
  }
  const failed = Boolean(error) || code < 200 || code >= 300
  const reason = error ? describeReason(error) : undefined
  const label = code ? String(code) : "no answer"
  return {
    label,
    tone: failed ? "destructive" : "success",
    reason,
    description: failed ? `Failed: ${label}${reason ? ` (${reason.text})` : ""}` : `OK (${code})`,
  }
}

/** The label to show for an account id, from the account list; the id itself when it is not (or no longer) there. */
export function accountLabeler(accounts: { id: string; label?: string; email: string }[]) {
  const byId = new Map(accounts.map((a) => [a.id, a.label?.trim() || a.email || a.id]))
  return (id: string, fallback?: string) => (id ? (byId.get(id) ?? (fallback || id)) : "—")
}

const HOUR = 3_600_000

/** The time ranges the request list offers; "all" is whatever the history keeps. */
export const requestRanges = [
  { value: "1h", label: "1 hour", ms: HOUR },
  { value: "24h", label: "24 hours", ms: 24 * HOUR },
  { value: "7d", label: "7 days", ms: 7 * 24 * HOUR },
  { value: "28d", label: "28 days", ms: 28 * 24 * HOUR },
] as const

/** Status choices: a class, every error, or one common code. */
export const statusChoices = [
  { value: "2xx", label: "Succeeded (2xx)" },
  { value: "error", label: "Any error" },
  { value: "4xx", label: "Client errors (4xx)" },
  { value: "429", label: "Quota or rate limit (429)" },
  { value: "5xx", label: "Server errors (5xx)" },
] as const

/** The request list's filters, as they stand in the page's URL (so a filtered view can be shared or reloaded). */
export interface RequestFilters {
  account?: string
  key?: string
  model?: string
  status?: string
  transport?: string
  range?: string
}

const filterNames = ["account", "key", "model", "status", "transport", "range"] as const

export function filtersFromParams(params: URLSearchParams): RequestFilters {
  const filters: RequestFilters = {}
  for (const name of filterNames) {
    const value = params.get(name)?.trim()
    if (value) {
      filters[name] = value
    }
  }
  return filters
}

/** The URL query for the filters (empty ones left out), keeping unrelated parameters of `base`. */
export function filtersToParams(filters: RequestFilters, base?: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(base)
  for (const name of filterNames) {
    const value = filters[name]?.trim()
    if (value) {
      params.set(name, value)
    } else {
      params.delete(name)
    }
  }
  return params
}

export function activeFilterCount(filters: RequestFilters): number {
  return filterNames.filter((name) => filters[name]).length
}

/**
 * The ListRequests call for the filters: a time range becomes a start time, rounded down to the minute so the query
 * stays the same between refreshes.
 */
export function listRequestsInput(
  filters: RequestFilters,
  now: Date,
  pageSize: number,
  pageToken = "",
): MessageInitShape<typeof ListRequestsRequestSchema> {
  const range = requestRanges.find((r) => r.value === filters.range)
  const start = range ? Math.floor((now.getTime() - range.ms) / 60_000) * 60_000 : undefined
  return {
    pageSize,
    pageToken,
    accountId: filters.account ?? "",
    clientName: filters.key ?? "",
    model: filters.model ?? "",
    status: filters.status ?? "",
    transport: filters.transport ?? "",
    startTime: start === undefined ? undefined : timestampFromDate(new Date(start)),
  }
}

/** "alice → erin": the accounts a request went through, in order. */
export function failoverChain(
  entry: RequestEntry,
  labelOf: (id: string, fallback?: string) => string,
): string {
  return entry.attempts.map((a) => labelOf(a.accountId, a.accountEmail)).join(" → ")
}
