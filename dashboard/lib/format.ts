/** Locale and time zone for formatting; undefined means the browser's own. Tests pin both. */
export interface FormatOptions {
  locale?: string
  timeZone?: string
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** A usage percentage as shown on a meter: rounded, clamped to 0–100. */
export function formatPercent(value: number): string {
  return `${clampPercent(value)}%`
}

export function clampPercent(value: number): number {
  if (!Number.isFinite(value)) {
    return 0
  }
  return Math.round(Math.min(100, Math.max(0, value)))
}

/**
 * A time left, at most two units, rounded up so that "1m" never shows when a second remains past it:
 * `2d 4h`, `3h 5m`, `42m`, `<1m`. Zero or less is "now".
 */
export function formatCountdown(milliseconds: number): string {
  if (milliseconds <= 0) {
    return "now"
  }
  if (milliseconds < MINUTE) {
    return "<1m"
  }
  const totalMinutes = Math.ceil(milliseconds / MINUTE)
  const days = Math.floor(totalMinutes / (24 * 60))
  const hours = Math.floor((totalMinutes % (24 * 60)) / 60)
  const minutes = totalMinutes % 60
  if (days > 0) {
    return hours > 0 ? `${days}d ${hours}h` : `${days}d`
  }
  if (hours > 0) {
    return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`
  }
  return `${minutes}m`
}

/** How long something has been going, at most two units, rounded down: `<1m`, `42m`, `3h 5m`, `2d 4h`. */
export function formatAge(milliseconds: number): string {
  return milliseconds < MINUTE ? "<1m" : formatCountdown(Math.floor(milliseconds / MINUTE) * MINUTE)
}

/** "resets in 3h 5m", or "resets now" once the time has passed. */
export function formatResetsIn(resetTime: Date, now: Date): string {
  const left = resetTime.getTime() - now.getTime()
  return left <= 0 ? "resets now" : `resets in ${formatCountdown(left)}`
}

/** A point in time, as short as is unambiguous from `now`: "14:32", "Nov 24, 14:32", "Nov 24, 2027, 14:32". */
export function formatDateTime(date: Date, now: Date, { locale, timeZone }: FormatOptions = {}): string {
  const day = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone, dateStyle: "short" }).format(d)
  const year = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric" }).format(d)
  const time: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
  if (day(date) === day(now)) {
    return new Intl.DateTimeFormat(locale, { ...time, timeZone }).format(date)
  }
  const sameYear = year(date) === year(now)
  return new Intl.DateTimeFormat(locale, {
    ...time,
    timeZone,
    month: "short",
    day: "numeric",
    year: sameYear ? undefined : "numeric",
  }).format(date)
}

/** A past or future moment relative to now: "just now", "5 minutes ago", "in 2 hours", "3 days ago". */
export function formatRelativeTime(date: Date, now: Date, { locale }: FormatOptions = {}): string {
  const diff = date.getTime() - now.getTime()
  const abs = Math.abs(diff)
  if (abs < MINUTE) {
    return "just now"
  }
  const rtf = new Intl.RelativeTimeFormat(locale ?? "en", { numeric: "auto" })
  if (abs < HOUR) {
    return rtf.format(Math.trunc(diff / MINUTE), "minute")
  }
  if (abs < DAY) {
    return rtf.format(Math.trunc(diff / HOUR), "hour")
  }
  return rtf.format(Math.trunc(diff / DAY), "day")
}

/** A log timestamp: "14:32:05" today, "Nov 24, 14:32" on another day. */
export function formatClock(date: Date, now: Date, format: FormatOptions = {}): string {
  const day = (d: Date) =>
    new Intl.DateTimeFormat("en-CA", { timeZone: format.timeZone, dateStyle: "short" }).format(d)
  if (day(date) !== day(now)) {
    return formatDateTime(date, now, format)
  }
  return new Intl.DateTimeFormat(format.locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZone: format.timeZone,
  }).format(date)
}

/** A secret's visible start, marked as cut: "mcx_ci-1…" (kept as is when it already ends with the ellipsis). */
export function withEllipsis(prefix: string): string {
  return prefix.endsWith("…") ? prefix : `${prefix}…`
}
