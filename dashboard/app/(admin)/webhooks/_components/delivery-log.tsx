"use client"

import { useQuery } from "@connectrpc/connect-query"
import { InboxIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { QueryError } from "@/components/query-error"
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Skeleton } from "@/components/ui/skeleton"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { toDate } from "@/lib/accounts"
import { formatClock, formatDateTime } from "@/lib/format"
import { listDeliveryAttempts } from "@/lib/gen/multicodex/control/v1/webhook_service-WebhookService_connectquery"
import { useNow } from "@/lib/use-now"
import { eventTypeLabel, formatAttemptDuration } from "@/lib/webhooks"

import { AttemptBadge } from "./attempt-badge"

export const DELIVERY_LOG_REFRESH_MS = 3_000

/** The webhook's last attempts, newest first, refreshed every few seconds while the page is open. */
export function DeliveryLog({ webhookId }: { webhookId: string }) {
  const now = useNow(DELIVERY_LOG_REFRESH_MS)
  const { data, error, isPending, isFetching, refetch } = useQuery(
    listDeliveryAttempts,
    { webhookId },
    { refetchInterval: DELIVERY_LOG_REFRESH_MS },
  )
  const attempts = data?.attempts ?? []

  return (
    <Card className="gap-0 pb-0">
      <CardHeader className="border-b [.border-b]:pb-4">
        <CardTitle>Delivery log</CardTitle>
        <CardDescription>
          The last 50 attempts since Control started, newest first; failed attempts are retried with backoff.
        </CardDescription>
      </CardHeader>
      <CardContent className="px-0">
        {isPending && !error ? (
          <div className="grid gap-2 p-4" aria-busy="true" aria-label="Loading the delivery log">
            <Skeleton className="h-8 w-full" />
            <Skeleton className="h-8 w-full" />
          </div>
        ) : error && !data ? (
          <div className="p-4">
            <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
          </div>
        ) : attempts.length === 0 ? (
          <EmptyState icon={InboxIcon} title="No deliveries yet" className="m-4">
            Send a test event to see one arrive.
          </EmptyState>
        ) : (
          <Table aria-label="Delivery log">
            <TableHeader>
              <TableRow>
                <TableHead className="pl-4">Time</TableHead>
                <TableHead>Event</TableHead>
                <TableHead>Attempt</TableHead>
                <TableHead>Result</TableHead>
                <TableHead>Answer</TableHead>
                <TableHead className="pr-4 text-right">Duration</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {attempts.map((attempt) => {
                const time = toDate(attempt.time)
                const next = toDate(attempt.nextAttemptTime)
                return (
                  <TableRow key={`${attempt.deliveryId}-${attempt.attempt}`} data-testid="delivery-attempt">
                    <TableCell
                      className="pl-4 tabular-nums"
                      title={time ? formatDateTime(time, now) : undefined}
                    >
                      {time ? formatClock(time, now) : "—"}
                    </TableCell>
                    <TableCell>
                      <span className="block">{eventTypeLabel(attempt.eventType)}</span>
                      <span className="block font-mono text-xs text-muted-foreground">{attempt.eventId}</span>
                    </TableCell>
                    <TableCell className="tabular-nums">{attempt.attempt || "—"}</TableCell>
                    <TableCell>
                      <AttemptBadge attempt={attempt} />
                      {next ? (
                        <span className="block text-xs text-muted-foreground">
                          next at {formatClock(next, now)}
                        </span>
                      ) : null}
                    </TableCell>
                    <TableCell className="max-w-[22rem] text-sm break-words">
                      {attempt.error || `HTTP ${attempt.statusCode}`}
                    </TableCell>
                    <TableCell className="pr-4 text-right tabular-nums">
                      {formatAttemptDuration(attempt)}
                    </TableCell>
                  </TableRow>
                )
              })}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  )
}
