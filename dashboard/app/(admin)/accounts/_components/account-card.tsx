import { AlertTriangleIcon, GaugeIcon } from "lucide-react"

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
import { accountStatus, accountTitle, planLabel, toDate, usageMeters } from "@/lib/accounts"
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
  const meters = usageMeters(account)
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
              Reason: <span className="font-mono">{status.reason}</span>
            </span>
          </p>
        ) : null}

        {meters.length > 0 ? (
          <div className="grid gap-4">
            {meters.map((meter) => (
              <UsageMeter key={meter.name} meter={meter} now={now} />
            ))}
          </div>
        ) : (
          <p className="flex items-center gap-2 text-sm text-muted-foreground">
            <GaugeIcon className="size-4" />
            No usage reported yet
          </p>
        )}

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
