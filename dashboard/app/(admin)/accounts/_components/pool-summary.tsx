import { OctagonAlertIcon } from "lucide-react"

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert"
import { Progress } from "@/components/ui/progress"
import { accountTitle } from "@/lib/accounts"
import { formatCountdown, formatDateTime } from "@/lib/format"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import { poolHealth, poolOutage, type Headroom, type PoolHealth } from "@/lib/pool-health"

/**
 * The pool before the accounts: a red banner when no account can serve requests (what clients get, and until
 * when), then how many accounts are usable, when the next blocked one frees up, and the 5-hour and weekly headroom
 * left across the pool.
 */
export function PoolSummary({ accounts, now }: { accounts: Account[]; now: Date }) {
  if (accounts.length === 0) {
    return null
  }
  const health = poolHealth(accounts, now)
  const outage = poolOutage(health, now)
  return (
    <div className="grid gap-3">
      {outage ? (
        <Alert
          variant="destructive"
          data-testid="pool-banner"
          className="border-destructive/40 bg-destructive/5"
        >
          <OctagonAlertIcon />
          <AlertTitle>{outage.headline}</AlertTitle>
          <AlertDescription>{outage.detail}</AlertDescription>
        </Alert>
      ) : null}
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4" data-testid="pool-summary">
        <Stat label="Usable now" value={`${health.usable} of ${health.total}`} detail={unusable(health)} />
        <Stat
          label="Next back"
          value={health.nextFree ? formatDateTime(health.nextFree.time, now) : "—"}
          detail={
            health.nextFree
              ? `${accountTitle(health.nextFree.account)}, in ${formatCountdown(health.nextFree.time.getTime() - now.getTime())}`
              : "No account is blocked"
          }
        />
        <HeadroomStat label="5-hour headroom" headroom={health.fiveHour} />
        <HeadroomStat label="Weekly headroom" headroom={health.weekly} />
      </dl>
    </div>
  )
}

function unusable(health: PoolHealth): string {
  const parts = [
    health.blocked.length > 0 ? `${health.blocked.length} blocked` : "",
    health.reauth > 0 ? `${health.reauth} need sign-in` : "",
    health.disabled > 0 ? `${health.disabled} disabled` : "",
  ].filter(Boolean)
  return parts.length > 0 ? parts.join(" · ") : "Every account can serve"
}

function Stat({
  label,
  value,
  detail,
  children,
}: {
  label: string
  value: string
  detail: string
  children?: React.ReactNode
}) {
  return (
    <div className="grid min-w-0 content-start gap-1 rounded-lg border bg-card px-4 py-3">
      <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
      <dd className="text-xl font-semibold tabular-nums">{value}</dd>
      {children}
      <dd className="text-xs text-muted-foreground">{detail}</dd>
    </div>
  )
}

function HeadroomStat({ label, headroom }: { label: string; headroom: Headroom }) {
  if (headroom.percentLeft === undefined) {
    return <Stat label={label} value="—" detail="No account has reported this window yet" />
  }
  const worth = headroom.accountsLeft.toLocaleString(undefined, { maximumFractionDigits: 1 })
  return (
    <Stat
      label={label}
      value={`${headroom.percentLeft}% left`}
      detail={`≈ ${worth} ${worth === "1" ? "account's" : "accounts'"} worth (${headroom.measured} measured)`}
    >
      <dd>
        <Progress
          value={headroom.percentLeft}
          tone={headroom.percentLeft <= 10 ? "warning" : "default"}
          aria-label={`${label}: ${headroom.percentLeft}% left`}
        />
      </dd>
    </Stat>
  )
}
