"use client"

import { ArrowDownIcon, ArrowUpDownIcon, ArrowUpIcon, Loader2Icon, RefreshCwIcon } from "lucide-react"

import { ReasonText } from "@/components/reason-text"
import { Button } from "@/components/ui/button"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { type Sort, type SortKey } from "@/lib/account-table"
import {
  accountStatus,
  accountTitle,
  isBlocked,
  planLabel,
  toDate,
  usageFreshness,
  usageTone,
  type UsageMeterValue,
  usageMeters,
} from "@/lib/accounts"
import { formatPercent, formatRelativeTime, formatResetsIn } from "@/lib/format"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import { cn } from "@/lib/utils"

import { AccountStateBadge } from "./account-state-badge"
import { EnabledSwitch, NeededAction } from "./account-actions"
import { useAccountActions } from "./use-account-actions"

const columns: { key: SortKey; label: string; className?: string }[] = [
  { key: "account", label: "Account" },
  { key: "state", label: "State" },
  { key: "plan", label: "Plan" },
  { key: "priority", label: "Priority", className: "text-right" },
  { key: "fiveHour", label: "5-hour" },
  { key: "weekly", label: "Weekly" },
  { key: "lastUsed", label: "Last used" },
]

/** The dense view for many accounts: one row each, sortable by every column; the row acts on what it needs. */
export function AccountsTable({
  accounts,
  now,
  sort,
  onSort,
}: {
  accounts: Account[]
  now: Date
  sort: Sort
  onSort: (sort: Sort) => void
}) {
  return (
    // min-w-0: a wide table scrolls inside its frame instead of widening the page.
    <div className="min-w-0 rounded-lg border bg-card" data-testid="accounts-table">
      <Table>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            {columns.map((column) => (
              <SortableHead key={column.key} column={column} sort={sort} onSort={onSort} />
            ))}
            <TableHead>Enabled</TableHead>
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {accounts.map((account) => (
            <AccountRow key={account.id} account={account} now={now} />
          ))}
        </TableBody>
      </Table>
    </div>
  )
}

function SortableHead({
  column,
  sort,
  onSort,
}: {
  column: (typeof columns)[number]
  sort: Sort
  onSort: (sort: Sort) => void
}) {
  const active = sort.key === column.key
  const Icon = !active ? ArrowUpDownIcon : sort.direction === "asc" ? ArrowUpIcon : ArrowDownIcon
  return (
    <TableHead
      className={column.className}
      aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}
    >
      <Button
        variant="ghost"
        size="sm"
        className="-ml-2 h-7 px-2 text-xs font-medium"
        onClick={() =>
          onSort({
            key: column.key,
            direction: active && sort.direction === "asc" ? "desc" : "asc",
          })
        }
      >
        {column.label}
        <Icon className={cn("size-3", !active && "opacity-40")} aria-hidden="true" />
      </Button>
    </TableHead>
  )
}

function AccountRow({ account, now }: { account: Account; now: Date }) {
  const actions = useAccountActions(account)
  const status = accountStatus(account, now)
  const freshness = usageFreshness(account, now)
  const blocked = isBlocked(account, now)
  const [fiveHour, weekly] = windows(account, now)
  const lastUsed = toDate(account.lastUsedTime)
  const title = accountTitle(account)
  return (
    <TableRow
      data-testid="account-row"
      aria-label={title}
      className={cn(status.tone === "muted" && "bg-muted/40")}
    >
      <TableCell className="max-w-64">
        <div className="truncate font-medium" title={title}>
          {title}
        </div>
        {title !== account.email ? (
          <div className="truncate text-xs text-muted-foreground">{account.email}</div>
        ) : null}
      </TableCell>
      <TableCell className="min-w-44">
        <div className="grid justify-items-start gap-1">
          <AccountStateBadge account={account} now={now} />
          {status.reason ? (
            <span className="max-w-56 truncate text-xs text-muted-foreground">
              <ReasonText reason={status.reason} />
            </span>
          ) : null}
        </div>
      </TableCell>
      <TableCell>{planLabel(account.planType)}</TableCell>
      <TableCell className="text-right tabular-nums">{account.priority ?? 0}</TableCell>
      <UsageCell meter={fiveHour} now={now} blocked={blocked} stale={freshness?.stale} />
      <UsageCell meter={weekly} now={now} blocked={blocked} stale={freshness?.stale} />
      <TableCell className="text-xs text-muted-foreground">
        {lastUsed ? formatRelativeTime(lastUsed, now) : "Never"}
        {freshness ? (
          <div className={cn(freshness.stale && "text-warning")} data-stale={freshness.stale || undefined}>
            usage {formatRelativeTime(freshness.observedAt, now)}
            {freshness.stale ? " (stale)" : ""}
          </div>
        ) : null}
      </TableCell>
      <TableCell>
        <EnabledSwitch account={account} actions={actions} compact />
      </TableCell>
      <TableCell>
        <div className="flex items-center justify-end gap-1">
          <NeededAction account={account} now={now} actions={actions} />
          <Button
            variant="ghost"
            size="sm"
            disabled={actions.refreshUsage.isPending}
            onClick={() => actions.refreshUsage.mutate({ id: account.id })}
          >
            {actions.refreshUsage.isPending ? <Loader2Icon className="animate-spin" /> : <RefreshCwIcon />}
            Refresh usage
          </Button>
        </div>
      </TableCell>
    </TableRow>
  )
}

function windows(account: Account, now: Date): [UsageMeterValue | undefined, UsageMeterValue | undefined] {
  const meters = usageMeters(account, now)
  return [meters.find((m) => m.name.startsWith("5-hour")), meters.find((m) => m.name.startsWith("Weekly"))]
}

const bar: Record<ReturnType<typeof usageTone>, string> = {
  default: "bg-primary",
  warning: "bg-warning",
  destructive: "bg-destructive",
  muted: "bg-muted-foreground/40",
}

function UsageCell({
  meter,
  now,
  blocked,
  stale,
}: {
  meter?: UsageMeterValue
  now: Date
  blocked: boolean
  stale?: boolean
}) {
  if (!meter) {
    return <TableCell className="text-muted-foreground">—</TableCell>
  }
  const tone = usageTone(meter.percent, { blocked, stale })
  return (
    <TableCell className="min-w-28">
      <div className="flex items-center gap-2">
        <span className="w-9 text-right tabular-nums">{formatPercent(meter.percent)}</span>
        <span className="h-1.5 w-14 overflow-hidden rounded-full bg-primary/10" aria-hidden="true">
          <span
            className={cn("block h-full rounded-full", bar[tone])}
            style={{ width: `${meter.percent}%` }}
          />
        </span>
      </div>
      {meter.resetTime ? (
        <div className="text-xs text-muted-foreground">
          {meter.reset ? "reset" : formatResetsIn(meter.resetTime, now)}
        </div>
      ) : null}
    </TableCell>
  )
}
