"use client"

import { useQuery } from "@connectrpc/connect-query"
import { LineChartIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { QueryError } from "@/components/query-error"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Skeleton } from "@/components/ui/skeleton"
import { formatPercent } from "@/lib/format"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { listUsageHistory } from "@/lib/gen/multicodex/control/v1/usage_service-UsageService_connectquery"
import { accountLabeler } from "@/lib/requests"
import { latestUsage, rangeMs, usageRanges, usageSeries, type UsagePoint } from "@/lib/usage-history"
import { useNow } from "@/lib/use-now"
import { useStoredChoice } from "@/lib/use-stored-choice"
import { cn } from "@/lib/utils"

import { UsageChart, usageLines } from "./usage-chart"

const rangeValues = usageRanges.map((r) => r.value)

/** One usage-over-time chart per account (ListUsageHistory) over a chosen range, refreshed every minute. */
export function UsageCharts() {
  const now = useNow(60_000)
  const [range, setRange] = useStoredChoice("multicodex.usage-range", rangeValues, "24h")
  const { data, error, isPending, isFetching, refetch } = useQuery(
    listUsageHistory,
    {},
    { refetchInterval: 60_000 },
  )
  const accounts = useQuery(listAccounts, {})
  const labelOf = accountLabeler(accounts.data?.accounts ?? [])
  const series = [...usageSeries(data?.samples ?? []).entries()]

  return (
    <section className="grid gap-3" aria-labelledby="usage-history-heading">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="usage-history-heading" className="text-lg font-semibold tracking-tight">
          Usage over time
        </h3>
        <div className="inline-flex rounded-md border p-0.5" role="group" aria-label="Time range">
          {usageRanges.map((option) => (
            <Button
              key={option.value}
              variant="ghost"
              size="sm"
              aria-pressed={range === option.value}
              title={`The last ${option.label}`}
              className={cn("h-7 px-2.5", range === option.value && "bg-accent text-accent-foreground")}
              onClick={() => setRange(option.value)}
            >
              {option.value}
            </Button>
          ))}
        </div>
      </div>
      {isPending && !error ? (
        <div className="grid gap-4 lg:grid-cols-2" aria-busy="true" aria-label="Loading usage history">
          <Skeleton className="h-60" />
          <Skeleton className="h-60" />
        </div>
      ) : error && !data ? (
        <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
      ) : series.length === 0 ? (
        <EmptyState icon={LineChartIcon} title="No usage history yet" className="py-10">
          Each account&apos;s 5-hour and weekly usage is sampled as MultiCodex sees it (at most every five
          minutes) and drawn here.
        </EmptyState>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2 2xl:grid-cols-3">
          {series.map(([accountId, points]) => (
            <Card key={accountId} className="gap-2" data-testid="usage-chart">
              <CardHeader>
                <CardTitle className="truncate text-sm">{labelOf(accountId)}</CardTitle>
                <CardDescription className="text-xs">
                  <LatestUsage points={points} />
                </CardDescription>
              </CardHeader>
              <CardContent className="px-3">
                <UsageChart points={points} now={now} spanMs={rangeMs(range)} />
              </CardContent>
            </Card>
          ))}
        </div>
      )}
    </section>
  )
}

/** The chart's legend and its text: each window's latest used percent. */
function LatestUsage({ points }: { points: UsagePoint[] }) {
  const latest = latestUsage(points)
  return (
    <span className="flex flex-wrap gap-x-4 gap-y-1">
      {usageLines.map((line) => (
        <span key={line.key} className="inline-flex items-center gap-1.5">
          <span className="h-0.5 w-3 rounded-full" style={{ background: line.color }} aria-hidden="true" />
          {line.name}{" "}
          <span className="font-medium text-foreground tabular-nums">
            {latest[line.key] === undefined ? "—" : formatPercent(latest[line.key] ?? 0)}
          </span>
        </span>
      ))}
      <span className="sr-only">
        latest of {points.length} {points.length === 1 ? "sample" : "samples"}
      </span>
    </span>
  )
}
