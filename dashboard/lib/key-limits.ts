import { create, type MessageInitShape } from "@bufbuild/protobuf"
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt"

import {
  ApiKeyLimitsSchema,
  KeyBudgetStatus_Metric,
  KeyBudgetStatus_Period,
  type ApiKeyLimits,
  type KeyBudgetStatus,
} from "@/lib/gen/multicodex/control/v1/api_key_service_pb"

/** The six budgets, in the order the form and the table show them. */
export const BUDGET_FIELDS = [
  { field: "requestsPerDay", label: "Requests per day" },
  { field: "requestsPerWeek", label: "Requests per week" },
  { field: "requestsPerMonth", label: "Requests per month" },
  { field: "tokensPerDay", label: "Tokens per day" },
  { field: "tokensPerWeek", label: "Tokens per week" },
  { field: "tokensPerMonth", label: "Tokens per month" },
] as const

export type BudgetField = (typeof BUDGET_FIELDS)[number]["field"]

/** What the limits form edits, as the inputs hold it (text; empty: no limit). */
export interface LimitsFormValues {
  /** A `datetime-local` value in the browser's time zone; empty: never expires. */
  expires: string
  /** Model ids or prefixes ending in `*`, separated by commas or spaces. */
  models: string
  maxConcurrent: string
  budgets: Record<BudgetField, string>
  accountIds: string[]
}

export const NO_LIMITS: LimitsFormValues = {
  expires: "",
  models: "",
  maxConcurrent: "",
  budgets: {
    requestsPerDay: "",
    requestsPerWeek: "",
    requestsPerMonth: "",
    tokensPerDay: "",
    tokensPerWeek: "",
    tokensPerMonth: "",
  },
  accountIds: [],
}

/** The form's values for a key's current limits (a limit of 0 shows as empty). */
export function formFromLimits(limits: ApiKeyLimits | undefined): LimitsFormValues {
  if (!limits) {
    return NO_LIMITS
  }
  const text = (value: bigint | number) => (value ? String(value) : "")
  return {
    expires: limits.expireTime ? toLocalInput(timestampDate(limits.expireTime)) : "",
    models: limits.allowedModels.join(", "),
    maxConcurrent: text(limits.maxConcurrentRequests),
    budgets: Object.fromEntries(BUDGET_FIELDS.map(({ field }) => [field, text(limits[field])])) as Record<
      BudgetField,
      string
    >,
    accountIds: [...limits.allowedAccountIds],
  }
}

/**
 * The limits to send for the form's values, or what is wrong with them (by field). Control checks them again and
 * answers a clear 400 for what only it can know (an expiry already past, an account gone).
 */
export function limitsFromForm(values: LimitsFormValues): {
  limits: MessageInitShape<typeof ApiKeyLimitsSchema>
  errors: Record<string, string>
} {
  const errors: Record<string, string> = {}
  const whole = (text: string, name: string, label: string): bigint => {
    const trimmed = text.trim()
    if (trimmed === "") {
      return 0n
    }
    if (!/^\d+$/.test(trimmed)) {
      errors[name] = `${label}: a whole number, or empty for no limit`
      return 0n
    }
    return BigInt(trimmed)
  }
  let expireTime
  if (values.expires.trim() !== "") {
    const at = new Date(values.expires)
    if (Number.isNaN(at.getTime())) {
      errors.expires = "Expiry: a date and time"
    } else {
      expireTime = timestampFromDate(at)
    }
  }
  const maxConcurrent = whole(values.maxConcurrent, "maxConcurrent", "At most at once")
  const limits = create(ApiKeyLimitsSchema, {
    expireTime,
    allowedModels: values.models
      .split(/[\s,]+/)
      .map((model) => model.trim())
      .filter(Boolean),
    maxConcurrentRequests: Number(maxConcurrent),
    allowedAccountIds: values.accountIds,
  })
  for (const { field, label } of BUDGET_FIELDS) {
    limits[field] = whole(values.budgets[field], field, label)
  }
  return { limits, errors }
}

/** True when the key has any limit at all. */
export function hasLimits(limits: ApiKeyLimits | undefined): boolean {
  return (
    !!limits &&
    (!!limits.expireTime ||
      limits.allowedModels.length > 0 ||
      limits.maxConcurrentRequests > 0 ||
      limits.allowedAccountIds.length > 0 ||
      BUDGET_FIELDS.some(({ field }) => limits[field] > 0n))
  )
}

const PERIOD_WORD: Record<KeyBudgetStatus_Period, string> = {
  [KeyBudgetStatus_Period.UNSPECIFIED]: "",
  [KeyBudgetStatus_Period.DAY]: "today (UTC)",
  [KeyBudgetStatus_Period.WEEK]: "this week (UTC)",
  [KeyBudgetStatus_Period.MONTH]: "this month (UTC)",
}

/** One budget as a line of the table: `2 / 2 requests today (UTC)`, how full it is, and when it frees up. */
export function describeBudget(status: KeyBudgetStatus): {
  text: string
  percent: number
  spent: boolean
  resetsAt: Date | undefined
} {
  const metric = status.metric === KeyBudgetStatus_Metric.TOKENS ? "tokens" : "requests"
  const used = status.used
  const limit = status.limit
  const count = (value: bigint) => value.toLocaleString("en-US")
  return {
    text: `${count(used)} / ${count(limit)} ${metric} ${PERIOD_WORD[status.period]}`,
    percent: limit > 0n ? Math.min(100, Number((used * 100n) / limit)) : 0,
    spent: used >= limit,
    resetsAt: status.resetTime ? timestampDate(status.resetTime) : undefined,
  }
}

/** The limits that are not budgets, in short words: `expires …`, `models: gpt-5*`, `2 at once`, `2 accounts`. */
export function otherLimits(
  limits: ApiKeyLimits | undefined,
  formatTime: (date: Date) => string,
  now: Date,
): { text: string; expired?: boolean }[] {
  if (!limits) {
    return []
  }
  const parts: { text: string; expired?: boolean }[] = []
  if (limits.expireTime) {
    const at = timestampDate(limits.expireTime)
    parts.push(
      at <= now
        ? { text: `expired ${formatTime(at)}`, expired: true }
        : { text: `expires ${formatTime(at)}` },
    )
  }
  if (limits.allowedModels.length > 0) {
    parts.push({ text: `models: ${limits.allowedModels.join(", ")}` })
  }
  if (limits.maxConcurrentRequests > 0) {
    parts.push({ text: `${limits.maxConcurrentRequests} at once` })
  }
  if (limits.allowedAccountIds.length > 0) {
    const n = limits.allowedAccountIds.length
    parts.push({ text: `${n} account${n === 1 ? "" : "s"} only` })
  }
  return parts
}

// A datetime-local input holds local time without a zone: yyyy-MM-ddTHH:mm.
function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0")
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}
