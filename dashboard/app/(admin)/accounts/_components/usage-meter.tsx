import { Progress } from "@/components/ui/progress"
import { usageTone, type UsageMeterValue } from "@/lib/accounts"
import { formatDateTime, formatPercent, formatResetsIn } from "@/lib/format"

/**
 * One rate-limit window: how much is used and when it resets. Red only while the account is blocked; grey when
 * the sample is stale; a window that has reset since the sample reads 0%.
 */
export function UsageMeter({
  meter,
  now,
  blocked = false,
  stale = false,
}: {
  meter: UsageMeterValue
  now: Date
  blocked?: boolean
  stale?: boolean
}) {
  const tone = usageTone(meter.percent, { blocked, stale })
  return (
    <div className="grid gap-1.5" data-testid="usage-meter" data-tone={tone}>
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">{meter.name}</span>
        <span className="text-muted-foreground tabular-nums">{formatPercent(meter.percent)} used</span>
      </div>
      <Progress value={meter.percent} tone={tone} aria-label={`${meter.name} used`} />
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
