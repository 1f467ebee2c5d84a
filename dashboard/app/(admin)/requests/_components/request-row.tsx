"use client"

import { ChevronRightIcon } from "lucide-react"
import { useState } from "react"

import { ReasonText } from "@/components/reason-text"
import { Badge } from "@/components/ui/badge"
import { Button } from "@/components/ui/button"
import { TableCell, TableRow } from "@/components/ui/table"
import { toDate } from "@/lib/accounts"
import { formatClock, formatRelativeTime } from "@/lib/format"
import type { RequestAttempt, RequestEntry } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { durationMs, failoverChain, formatCount, formatMs, requestStatus } from "@/lib/requests"
import { cn } from "@/lib/utils"

/** Columns that give way on narrow screens (the table still scrolls sideways when it must). */
export const responsiveColumns = {
  key: "hidden md:table-cell",
  model: "hidden sm:table-cell",
  ttfb: "hidden lg:table-cell",
  tokens: "hidden md:table-cell",
}

export const REQUEST_COLUMNS = 10

type LabelOf = (id: string, fallback?: string) => string

/**
 * One client request: when, which key, the account that answered (and the ones it failed over from), the model,
 * what the client got, how fast, its tokens. Expands to the failover chain, one line per attempt.
 */
export function RequestRow({ entry, labelOf, now }: { entry: RequestEntry; labelOf: LabelOf; now: Date }) {
  const [open, setOpen] = useState(false)
  const time = toDate(entry.time)
  const status = requestStatus(entry)
  const failedOver = entry.attempts.length > 1
  return (
    <>
      <TableRow data-testid="request-row" data-request-id={entry.requestId} aria-expanded={open}>
        <TableCell className="w-8 pl-2">
          <Button
            variant="ghost"
            size="icon"
            className="size-7"
            aria-expanded={open}
            aria-label={`${open ? "Hide" : "Show"} the attempts of this request`}
            onClick={() => setOpen(!open)}
          >
            <ChevronRightIcon
              aria-hidden="true"
              className={cn("transition-transform", open && "rotate-90")}
            />
          </Button>
        </TableCell>
        <TableCell className="tabular-nums" title={time ? formatRelativeTime(time, now) : undefined}>
          {time ? formatClock(time, now) : "—"}
          {entry.transport === "websocket" ? (
            <Badge
              variant="outline"
              className="ml-1.5 px-1 py-0 text-[10px]"
              title="Sent over the Responses WebSocket"
              aria-label="over WebSocket"
              data-testid="transport-websocket"
            >
              WS
            </Badge>
          ) : null}
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
        <TableCell className="max-w-56" title={entry.accountId || undefined}>
          {entry.accountId ? (
            <span className="block truncate">{labelOf(entry.accountId, entry.accountEmail)}</span>
          ) : (
            <span className="text-muted-foreground" title="No account could take this request">
              no account
            </span>
          )}
          {failedOver ? (
            <span className="block truncate text-xs text-muted-foreground" data-testid="failover-chain">
              {entry.attempts.length} attempts: {failoverChain(entry, labelOf)}
            </span>
          ) : null}
        </TableCell>
        <TableCell className={cn("font-mono text-xs", responsiveColumns.model)}>
          {entry.model || "—"}
        </TableCell>
        <TableCell>
          <StatusCell status={status} />
          {!entry.answered && entry.attempts.length > 0 ? (
            <span
              className="block text-xs text-muted-foreground"
              title="The Edge reported the attempts but not yet what the client got (it follows within a second), or never will (a model-catalog fetch, or an Edge that stopped)"
            >
              no answer reported
            </span>
          ) : null}
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
      {open ? (
        <TableRow className="bg-muted/30 hover:bg-muted/30">
          <TableCell colSpan={REQUEST_COLUMNS} className="px-4 py-3">
            <Attempts entry={entry} labelOf={labelOf} now={now} />
          </TableCell>
        </TableRow>
      ) : null}
    </>
  )
}

function StatusCell({ status }: { status: ReturnType<typeof requestStatus> }) {
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <Badge variant={status.tone} title={status.description} aria-label={status.description}>
        {status.label}
      </Badge>
      {status.reason ? (
        <span className="text-xs">
          <ReasonText reason={status.reason} />
        </span>
      ) : null}
    </div>
  )
}

/** The failover chain: each upstream attempt in order, with its account and how it went. */
function Attempts({ entry, labelOf, now }: { entry: RequestEntry; labelOf: LabelOf; now: Date }) {
  if (entry.attempts.length === 0) {
    return (
      <p className="text-sm text-muted-foreground" data-testid="attempts">
        No account was tried: none could take the request.
      </p>
    )
  }
  return (
    <ol className="grid gap-2 text-sm" data-testid="attempts" aria-label="Attempts">
      {entry.attempts.map((attempt) => (
        <AttemptLine key={attempt.attempt} attempt={attempt} labelOf={labelOf} now={now} />
      ))}
    </ol>
  )
}

function AttemptLine({ attempt, labelOf, now }: { attempt: RequestAttempt; labelOf: LabelOf; now: Date }) {
  const time = toDate(attempt.time)
  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-1" data-testid="attempt">
      <span className="w-16 text-muted-foreground">Attempt {attempt.attempt}</span>
      <span className="font-medium" title={attempt.accountId}>
        {labelOf(attempt.accountId, attempt.accountEmail)}
      </span>
      <StatusCell status={requestStatus(attempt)} />
      {attempt.blockedAccount ? (
        <Badge variant="warning" title="This answer blocked the account until its quota resets">
          blocked the account
        </Badge>
      ) : null}
      <span className="text-muted-foreground tabular-nums">
        {time ? formatClock(time, now) : ""} · first byte {formatMs(durationMs(attempt.timeToFirstByte))} ·
        took {formatMs(durationMs(attempt.duration))}
      </span>
    </li>
  )
}
