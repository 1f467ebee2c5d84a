import { AlertTriangleIcon, ClockAlertIcon, GaugeIcon } from "lucide-react"

import { ReasonText } from "@/components/reason-text"
import { Badge } from "@/components/ui/badge"
import {
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
} from "@/components/ui/card"
import {
  accountStatus,
  accountTitle,
  isBlocked,
  planLabel,
  toDate,
  usageFreshness,
  usageMeters,
} from "@/lib/accounts"
import { formatRelativeTime } from "@/lib/format"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import { cn } from "@/lib/utils"

import { AccountActions } from "./account-actions"
import { AccountStateBadge } from "./account-state-badge"
import { UsageMeter } from "./usage-meter"

/** One account: who it is, its state and usage, and (unless `actions` is false) what can be done with it. */
export function AccountCard({
  account,
  now,
  actions = true,
}: {
  account: Account
  now: Date
  actions?: boolean
}) {
  const title = accountTitle(account)
  const status = accountStatus(account, now)
  const meters = usageMeters(account, now)
  const freshness = usageFreshness(account, now)
  const blocked = isBlocked(account, now)
  const created = toDate(account.createTime)
  const lastUsed = toDate(account.lastUsedTime)
  const probeError = account.usage?.probeError

  return (
    <Card
      data-testid="account-card"
      role="group"
      aria-label={title}
      className={cn(status.tone === "muted" && "bg-muted/40")}
    >
      <CardHeader>
        <CardTitle className="truncate text-base" title={title}>
          {title}
        </CardTitle>
        <CardDescription className="truncate" title={account.email}>
          {title === account.email ? <span className="font-mono text-xs">{account.id}</span> : account.email}
        </CardDescription>
        <CardAction>
          <AccountStateBadge account={account} now={now} />
        </CardAction>
      </CardHeader>

      <CardContent className="grid gap-4">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Badge variant="outline" data-testid="account-plan">
            {planLabel(account.planType)}
          </Badge>
          <Badge variant="secondary">Priority {account.priority ?? 0}</Badge>
          {account.tokenHint ? (
            <span className="ml-auto text-xs text-muted-foreground" title="A hint of the access token">
              Token <span className="font-mono">{account.tokenHint}</span>
            </span>
          ) : null}
        </div>

        {status.reason ? (
          <p
            className={cn(
              "flex items-start gap-2 rounded-md border px-3 py-2 text-xs",
              status.tone === "destructive"
                ? "border-destructive/20 bg-destructive/5 text-destructive"
                : "border-warning/25 bg-warning/5 text-warning",
            )}
          >
            <AlertTriangleIcon className="mt-px size-3.5 shrink-0" />
            <span>
              <ReasonText reason={status.reason} />
            </span>
          </p>
        ) : null}

        {meters.length > 0 ? (
          <div className="grid gap-4">
            {meters.map((meter) => (
              <UsageMeter
                key={meter.name}
                meter={meter}
                now={now}
                blocked={blocked}
                stale={freshness?.stale}
              />
            ))}
          </div>
        ) : (
          <p className="flex items-center gap-2 text-sm text-muted-foreground">
            <GaugeIcon className="size-4" />
            No usage reported yet
          </p>
        )}

        {freshness ? (
          <p
            className={cn(
              "flex items-center gap-1.5 text-xs",
              freshness.stale ? "text-warning" : "text-muted-foreground",
            )}
            data-testid="usage-age"
            data-stale={freshness.stale || undefined}
            title={freshness.observedAt.toLocaleString()}
          >
            {freshness.stale ? <ClockAlertIcon className="size-3.5" aria-hidden="true" /> : null}
            Usage checked {formatRelativeTime(freshness.observedAt, now)}
            {freshness.stale ? " · stale, may have changed since" : ""}
          </p>
        ) : null}

        {probeError ? <p className="text-xs text-warning">Last usage check failed: {probeError}</p> : null}

        <p className="flex justify-between gap-2 text-xs text-muted-foreground">
          <span>{created ? `Added ${formatRelativeTime(created, now)}` : null}</span>
          <span>{lastUsed ? `Last used ${formatRelativeTime(lastUsed, now)}` : "Not used yet"}</span>
        </p>
      </CardContent>

      {actions ? (
        <CardFooter className="mt-auto border-t">
          <AccountActions account={account} now={now} />
        </CardFooter>
      ) : null}
    </Card>
  )
}
