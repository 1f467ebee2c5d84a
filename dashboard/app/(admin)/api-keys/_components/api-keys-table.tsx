"use client"

import { Card } from "@/components/ui/card"
import { Progress } from "@/components/ui/progress"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { toDate } from "@/lib/accounts"
import { formatDateTime, formatRelativeTime, withEllipsis } from "@/lib/format"
import type { ApiKey } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import type { UsageFigures } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { describeBudget, otherLimits } from "@/lib/key-limits"
import { formatCount } from "@/lib/requests"
import { formatRate } from "@/lib/usage-overview"
import { useNow } from "@/lib/use-now"

import { EditLimitsButton } from "./edit-limits-button"
import { RevokeKeyButton } from "./revoke-key-button"

/**
 * The keys: name with the secret's first characters (to recognise it), when it was made, its limits with where it
 * stands against each budget, its use (requests, errors, tokens, cache hit rate, last use) over the chosen range,
 * and Limits / Revoke. Figures are matched by key id: a new key with a revoked key's name starts from nothing.
 * Fits a 1280 px window beside the sidebar: long texts wrap, and the less important columns (created, tokens, cache
 * hit) collapse on narrower screens, where the table scrolls inside its card rather than widening the page.
 */
export function ApiKeysTable({
  keys,
  usage = new Map(),
}: {
  keys: ApiKey[]
  usage?: Map<string, UsageFigures | undefined>
}) {
  const now = useNow()
  return (
    <Card className="py-0">
      <Table aria-label="API keys">
        <TableHeader>
          <TableRow>
            <TableHead className="pl-4">Name</TableHead>
            <TableHead className="hidden 2xl:table-cell">Created</TableHead>
            <TableHead>Limits</TableHead>
            <TableHead className="text-right">Requests</TableHead>
            <TableHead className="text-right">Errors</TableHead>
            <TableHead className="hidden text-right whitespace-normal lg:table-cell">
              Tokens in (cached) / out
            </TableHead>
            <TableHead className="hidden text-right xl:table-cell" title="Cached input tokens ÷ input tokens">
              Cache hit
            </TableHead>
            <TableHead>Last used</TableHead>
            <TableHead className="pr-4 text-right">
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {keys.map((key) => {
            const created = toDate(key.createTime)
            const figures = usage.get(key.id)
            const lastUsed = toDate(figures?.lastRequestTime)
            return (
              <TableRow key={key.id} data-testid="api-key-row">
                <TableCell className="min-w-32 pl-4">
                  <div className="grid justify-items-start gap-1">
                    <span className="font-medium break-words whitespace-normal">{key.name}</span>
                    <code
                      className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs"
                      title={created ? `Created ${formatDateTime(created, now)}` : undefined}
                    >
                      {withEllipsis(key.prefix)}
                    </code>
                  </div>
                </TableCell>
                <TableCell
                  className="hidden text-muted-foreground 2xl:table-cell"
                  title={created ? formatDateTime(created, now) : undefined}
                >
                  {created ? formatRelativeTime(created, now) : "—"}
                </TableCell>
                <TableCell className="min-w-44 whitespace-normal" data-testid="key-limits">
                  <KeyLimitsCell apiKey={key} now={now} />
                </TableCell>
                <TableCell className="text-right tabular-nums" data-testid="key-requests">
                  {formatCount(figures?.requests ?? 0n)}
                </TableCell>
                <TableCell className="text-right tabular-nums" data-testid="key-errors">
                  {formatCount(figures?.errors ?? 0n)}
                </TableCell>
                <TableCell className="hidden text-right tabular-nums lg:table-cell" data-testid="key-tokens">
                  {formatCount(figures?.inputTokens ?? 0n)} ({formatCount(figures?.cachedInputTokens ?? 0n)})
                  / {formatCount(figures?.outputTokens ?? 0n)}
                </TableCell>
                <TableCell className="hidden text-right tabular-nums xl:table-cell">
                  {formatRate(figures)}
                </TableCell>
                <TableCell
                  className="min-w-24 text-muted-foreground whitespace-normal"
                  title={lastUsed ? formatDateTime(lastUsed, now) : undefined}
                >
                  {lastUsed ? formatRelativeTime(lastUsed, now) : "not in this range"}
                </TableCell>
                <TableCell className="pr-4 text-right">
                  <div className="flex flex-wrap justify-end gap-2">
                    <EditLimitsButton apiKey={key} />
                    <RevokeKeyButton apiKey={key} />
                  </div>
                </TableCell>
              </TableRow>
            )
          })}
        </TableBody>
      </Table>
    </Card>
  )
}

/** Each budget as `used / limit` with a bar (red once spent, with when it frees up), then the other limits. */
function KeyLimitsCell({ apiKey, now }: { apiKey: ApiKey; now: Date }) {
  const others = otherLimits(apiKey.limits, (date) => formatDateTime(date, now), now)
  if (apiKey.budgets.length === 0 && others.length === 0) {
    return <span className="text-muted-foreground">none</span>
  }
  return (
    <div className="grid gap-1.5 text-xs">
      {apiKey.budgets.map((status) => {
        const budget = describeBudget(status)
        return (
          <div key={`${status.metric}-${status.period}`} className="grid gap-0.5" data-testid="key-budget">
            <span className={budget.spent ? "font-medium text-destructive" : "tabular-nums"}>
              {budget.text}
              {budget.spent && budget.resetsAt ? (
                <span className="whitespace-nowrap">
                  {" "}
                  · spent until {formatDateTime(budget.resetsAt, now)}
                </span>
              ) : null}
            </span>
            <Progress
              value={budget.percent}
              tone={budget.spent ? "destructive" : budget.percent >= 80 ? "warning" : "default"}
              aria-label={budget.text}
              className="h-1.5"
            />
          </div>
        )
      })}
      {others.map((part) => (
        <span
          key={part.text}
          className={part.expired ? "font-medium text-destructive" : "text-muted-foreground"}
        >
          {part.text}
        </span>
      ))}
    </div>
  )
}
