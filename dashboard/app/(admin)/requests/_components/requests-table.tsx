"use client"

import { keepPreviousData } from "@tanstack/react-query"
import { useQuery } from "@connectrpc/connect-query"
import { ActivityIcon } from "lucide-react"
import { useState } from "react"

import { EmptyState } from "@/components/empty-state"
import { QueryError } from "@/components/query-error"
import { Button } from "@/components/ui/button"
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Skeleton } from "@/components/ui/skeleton"
import { Table, TableBody, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { listRequests } from "@/lib/gen/multicodex/control/v1/usage_service-UsageService_connectquery"
import { accountLabeler, activeFilterCount, listRequestsInput, type RequestFilters } from "@/lib/requests"
import { useNow } from "@/lib/use-now"
import { cn } from "@/lib/utils"

import { RequestFiltersBar } from "./request-filters"
import { RequestRow, responsiveColumns } from "./request-row"

export const REQUESTS_REFRESH_MS = 5_000
export const REQUESTS_PAGE_SIZE = 50

/**
 * The /v1 requests, newest first, one row per client request (expand for its attempts), filtered and paged; the
 * first page refreshes every few seconds. The filters are the caller's (the page keeps them in the URL).
 */
export function RequestsTable({
  filters,
  onFiltersChange,
  refreshMs = REQUESTS_REFRESH_MS,
  pageSize = REQUESTS_PAGE_SIZE,
}: {
  filters: RequestFilters
  onFiltersChange: (next: RequestFilters) => void
  refreshMs?: number
  pageSize?: number
}) {
  const now = useNow(refreshMs)
  // The tokens of the pages before this one: [] on the first page. A filter change starts over.
  const [tokens, setTokens] = useState<string[]>([])
  const [shownFilters, setShownFilters] = useState(filters)
  if (shownFilters !== filters) {
    setShownFilters(filters)
    setTokens([])
  }
  const pageToken = tokens.at(-1) ?? ""
  const { data, error, isPending, isFetching, refetch } = useQuery(
    listRequests,
    listRequestsInput(filters, now, pageSize, pageToken),
    { refetchInterval: pageToken ? false : refreshMs, placeholderData: keepPreviousData },
  )
  const accounts = useQuery(listAccounts, {})
  const labelOf = accountLabeler(accounts.data?.accounts ?? [])
  const requests = data?.requests ?? []
  const filtered = activeFilterCount(filters) > 0

  return (
    <Card className="min-w-0 gap-0 pb-0">
      <CardHeader className="gap-3 border-b [.border-b]:pb-4">
        <CardTitle>Requests</CardTitle>
        <CardDescription>
          One row per client request, newest first; expand a row for its attempts (the failover chain).
          {pageToken ? "" : ` Refreshes every ${Math.round(refreshMs / 1000)} seconds.`}
        </CardDescription>
        <CardAction>
          <span className="text-xs text-muted-foreground" aria-hidden="true">
            {isFetching ? "Updating…" : `${requests.length} shown`}
          </span>
        </CardAction>
        <div className="col-span-full">
          <RequestFiltersBar filters={filters} onChange={onFiltersChange} />
        </div>
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
          <EmptyState
            icon={ActivityIcon}
            title={filtered ? "No request matches these filters" : "No requests yet"}
            className="m-4"
          >
            {filtered ? (
              "Change or clear the filters to see more."
            ) : (
              <>
                Requests sent to <span className="font-mono text-xs">/v1</span> through this server appear
                here within seconds, and are kept across restarts.
              </>
            )}
          </EmptyState>
        ) : (
          <Table aria-label="Requests">
            <TableHeader>
              <TableRow>
                <TableHead className="w-8 pl-2">
                  <span className="sr-only">Attempts</span>
                </TableHead>
                <TableHead>Time</TableHead>
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
              {requests.map((entry) => (
                <RequestRow key={entry.requestId} entry={entry} labelOf={labelOf} now={now} />
              ))}
            </TableBody>
          </Table>
        )}
        {tokens.length > 0 || data?.nextPageToken ? (
          <nav className="flex items-center justify-end gap-2 border-t p-3" aria-label="Pages">
            <Button
              variant="outline"
              size="sm"
              disabled={tokens.length === 0}
              onClick={() => setTokens(tokens.slice(0, -1))}
            >
              Newer
            </Button>
            <span className="text-xs text-muted-foreground">Page {tokens.length + 1}</span>
            <Button
              variant="outline"
              size="sm"
              disabled={!data?.nextPageToken}
              onClick={() => data?.nextPageToken && setTokens([...tokens, data.nextPageToken])}
            >
              Older
            </Button>
          </nav>
        ) : null}
      </CardContent>
    </Card>
  )
}
