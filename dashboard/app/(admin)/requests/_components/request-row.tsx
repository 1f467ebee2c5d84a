import { Badge } from "@/components/ui/badge"
import { TableCell, TableRow } from "@/components/ui/table"
import { toDate } from "@/lib/accounts"
import { formatClock, formatRelativeTime } from "@/lib/format"
import type { RequestEntry } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { durationMs, formatCount, formatMs, requestStatus } from "@/lib/requests"
import { cn } from "@/lib/utils"

/** Columns that give way on narrow screens (the table still scrolls sideways when it must). */
export const responsiveColumns = {
  key: "hidden md:table-cell",
  model: "hidden sm:table-cell",
  ttfb: "hidden lg:table-cell",
  tokens: "hidden md:table-cell",
}

/** One request: when, who (key), which account, the model, how it went, how fast, and its tokens. */
export function RequestRow({
  entry,
  accountLabel,
  now,
}: {
  entry: RequestEntry
  accountLabel: string
  now: Date
}) {
  const time = toDate(entry.time)
  const status = requestStatus(entry)
  return (
    <TableRow data-testid="request-row">
      <TableCell className="pl-4 tabular-nums" title={time ? formatRelativeTime(time, now) : undefined}>
        {time ? formatClock(time, now) : "—"}
      </TableCell>
      <TableCell className={responsiveColumns.key}>
        {entry.clientName ? (
          entry.clientName
        ) : (
          <span className="text-muted-foreground" title="Sent while /v1 had no keys">
            no key
          </span>
        )}
      </TableCell>
      <TableCell className="max-w-48 truncate" title={entry.accountId}>
        {accountLabel}
      </TableCell>
      <TableCell className={cn("font-mono text-xs", responsiveColumns.model)}>{entry.model || "—"}</TableCell>
      <TableCell>
        <div className="flex items-center gap-1.5">
          <Badge variant={status.tone} title={status.description} aria-label={status.description}>
            {status.label}
          </Badge>
          {entry.blockedAccount ? (
            <Badge variant="warning" title="This answer blocked the account until its quota resets">
              blocked account
            </Badge>
          ) : null}
        </div>
      </TableCell>
      <TableCell className={cn("text-right tabular-nums", responsiveColumns.ttfb)}>
        {formatMs(durationMs(entry.timeToFirstByte))}
      </TableCell>
      <TableCell className="text-right tabular-nums">{formatMs(durationMs(entry.duration))}</TableCell>
      <TableCell className={cn("text-right tabular-nums", responsiveColumns.tokens)}>
        {formatCount(entry.inputTokens)}
        {entry.cachedInputTokens > 0 ? (
          <span className="block text-xs text-muted-foreground">
            {formatCount(entry.cachedInputTokens)} cached
          </span>
        ) : null}
      </TableCell>
      <TableCell className={cn("pr-4 text-right tabular-nums", responsiveColumns.tokens)}>
        {formatCount(entry.outputTokens)}
        {entry.reasoningTokens > 0 ? (
          <span className="block text-xs text-muted-foreground">
            {formatCount(entry.reasoningTokens)} reasoning
          </span>
        ) : null}
      </TableCell>
    </TableRow>
  )
}
