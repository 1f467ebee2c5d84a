import { Progress } from "@/components/ui/progress"
import { usageTone, type UsageMeterValue } from "@/lib/accounts"
import { formatDateTime, formatPercent, formatResetsIn } from "@/lib/format"

/**
 * One meter: a rate-limit window, the credit budget, or a reserve for one model; how much is used, what it is, and
 * when it resets. Red only while a block stops what this meter pays for; grey when the sample is stale; a meter that
 * has reset since the sample reads 0%.
 */
export function UsageMeter({
  meter,
  now,
  stale = false,
}: {
  meter: UsageMeterValue
  now: Date
  stale?: boolean
}) {
  const tone = usageTone(meter.percent, { blocked: meter.blocked, stale })
  return (
    <div
      className="grid gap-1.5"
      data-testid="usage-meter"
      data-meter={meter.key}
      data-kind={meter.kind}
      data-tone={tone}
    >
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="truncate font-medium" title={meter.name}>
          {meter.name}
        </span>
        <span className="shrink-0 text-muted-foreground tabular-nums">
          {formatPercent(meter.percent)} used
        </span>
      </div>
      <Progress value={meter.percent} tone={tone} aria-label={`${meter.name} used`} />
      {meter.detail ? <p className="text-xs text-muted-foreground tabular-nums">{meter.detail}</p> : null}
      {meter.resetTime ? (
        <p
          className="text-xs text-muted-foreground tabular-nums"
          title={formatDateTime(meter.resetTime, now)}
        >
          {meter.reset
            ? `Reset at ${formatDateTime(meter.resetTime, now)}: counts as 0% until the next check`
            : capitalize(formatResetsIn(meter.resetTime, now))}
        </p>
      ) : null}
    </div>
  )
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
