import { Progress } from "@/components/ui/progress"
import { usageTone, type UsageMeterValue } from "@/lib/accounts"
import { formatDateTime, formatPercent, formatResetsIn } from "@/lib/format"

/** One rate-limit window: how much is used, and when it resets. */
export function UsageMeter({ meter, now }: { meter: UsageMeterValue; now: Date }) {
  return (
    <div className="grid gap-1.5">
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">{meter.name}</span>
        <span className="text-muted-foreground tabular-nums">{formatPercent(meter.percent)} used</span>
      </div>
      <Progress value={meter.percent} tone={usageTone(meter.percent)} aria-label={`${meter.name} used`} />
      {meter.resetTime ? (
        <p
          className="text-xs text-muted-foreground tabular-nums"
          title={formatDateTime(meter.resetTime, now)}
        >
          {capitalize(formatResetsIn(meter.resetTime, now))}
        </p>
      ) : null}
    </div>
  )
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
