"use client"

import { useQuery } from "@connectrpc/connect-query"
import { ActivityIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { QueryError } from "@/components/query-error"
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Skeleton } from "@/components/ui/skeleton"
import { Table, TableBody, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { listRequests } from "@/lib/gen/multicodex/control/v1/usage_service-UsageService_connectquery"
import { accountLabeler } from "@/lib/requests"
import { useNow } from "@/lib/use-now"
import { cn } from "@/lib/utils"

import { RequestRow, responsiveColumns } from "./request-row"

export const REQUESTS_REFRESH_MS = 5_000

/** The newest /v1 requests, refreshed every few seconds; account ids shown as the accounts' labels. */
export function RequestsTable({ refreshMs = REQUESTS_REFRESH_MS }: { refreshMs?: number }) {
  const now = useNow(refreshMs)
  const { data, error, isPending, isFetching, refetch } = useQuery(
    listRequests,
    { pageSize: 100 },
    { refetchInterval: refreshMs },
  )
  const accounts = useQuery(listAccounts, {})
  const labelOf = accountLabeler(accounts.data?.accounts ?? [])
  const requests = data?.requests ?? []

  return (
    <Card className="gap-0 pb-0">
      <CardHeader className="border-b [.border-b]:pb-4">
        <CardTitle>Recent requests</CardTitle>
        <CardDescription>
          Newest first; refreshes every {Math.round(refreshMs / 1000)} seconds.
        </CardDescription>
        <CardAction>
          <span className="text-xs text-muted-foreground" aria-hidden="true">
            {isFetching ? "Updating…" : `${requests.length} shown`}
          </span>
        </CardAction>
      </CardHeader>
      <CardContent className="px-0">
        {isPending && !error ? (
          <div className="grid gap-2 p-4" aria-busy="true" aria-label="Loading requests">
            {Array.from({ length: 4 }, (_, i) => (
              <Skeleton key={i} className="h-8 w-full" />
            ))}
          </div>
        ) : error && !data ? (
          <div className="p-4">
            <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
          </div>
        ) : requests.length === 0 ? (
          <EmptyState icon={ActivityIcon} title="No requests yet" className="m-4">
            Requests sent to <span className="font-mono text-xs">/v1</span> through this server appear here
            within seconds.
          </EmptyState>
        ) : (
          <Table aria-label="Recent requests">
            <TableHeader>
              <TableRow>
                <TableHead className="pl-4">Time</TableHead>
                <TableHead className={responsiveColumns.key}>Key</TableHead>
                <TableHead>Account</TableHead>
                <TableHead className={responsiveColumns.model}>Model</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className={cn("text-right", responsiveColumns.ttfb)}>
                  <abbr title="Time to first byte" className="no-underline">
                    TTFB
                  </abbr>
                </TableHead>
                <TableHead className="text-right">Duration</TableHead>
                <TableHead className={cn("text-right", responsiveColumns.tokens)}>Tokens in</TableHead>
                <TableHead className={cn("pr-4 text-right", responsiveColumns.tokens)}>Tokens out</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {requests.map((entry, i) => (
                <RequestRow key={i} entry={entry} accountLabel={labelOf(entry.accountId)} now={now} />
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  )
}
