"use client"

import { useQuery } from "@connectrpc/connect-query"
import { keepPreviousData } from "@tanstack/react-query"

import { QueryError } from "@/components/query-error"
import { RangeToggle } from "@/components/range-toggle"
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Skeleton } from "@/components/ui/skeleton"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import type { UsageFigures, UsageGroup } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { getUsageOverview } from "@/lib/gen/multicodex/control/v1/usage_service-UsageService_connectquery"
import { accountLabeler, formatCount } from "@/lib/requests"
import { formatRate, overviewInput, overviewRangeValues, overviewRanges } from "@/lib/usage-overview"
import { useStoredChoice } from "@/lib/use-stored-choice"

/** Requests, errors, tokens and cache hit rate in total and per account, key and model, over 24 h, 7 d or 28 d. */
export function UsageOverview({ refreshMs = 30_000 }: { refreshMs?: number }) {
  const [range, setRange] = useStoredChoice("multicodex.overview-range", overviewRangeValues, "24h")
  const { data, error, isPending, isFetching, refetch } = useQuery(getUsageOverview, overviewInput(range), {
    refetchInterval: refreshMs,
    placeholderData: keepPreviousData,
  })
  const accounts = useQuery(listAccounts, {})
  const labelOf = accountLabeler(accounts.data?.accounts ?? [])
  const total = data?.total

  return (
    // min-w-0 down the grid: a wide breakdown table scrolls inside its card instead of widening the page.
    <section className="grid min-w-0 gap-3" aria-labelledby="usage-overview-heading">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="usage-overview-heading" className="text-lg font-semibold tracking-tight">
          Overview
        </h3>
        <RangeToggle ranges={overviewRanges} value={range} onChange={setRange} label="Overview range" />
      </div>
      {isPending && !error ? (
        <Skeleton className="h-40" aria-busy="true" aria-label="Loading the overview" />
      ) : error && !data ? (
        <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
      ) : (
        <>
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="overview-totals">
            <Total label="Requests" value={total ? formatCount(total.requests) : "0"} />
            <Total label="Errors" value={total ? formatCount(total.errors) : "0"} />
            <Total
              label="Tokens in / out"
              value={
                total ? `${formatCount(total.inputTokens)} / ${formatCount(total.outputTokens)}` : "0 / 0"
              }
            />
            <Total
              label="Cache hit rate"
              value={formatRate(total)}
              hint="Cached input tokens ÷ input tokens"
            />
          </dl>
          <div className="grid min-w-0 gap-4 xl:grid-cols-2 2xl:grid-cols-3">
            <GroupTable
              title="Per account"
              description="Upstream attempts, failovers included"
              groups={data?.accounts ?? []}
              nameOf={(g) => labelOf(g.id, g.displayName)}
            />
            <GroupTable
              title="Per key"
              description="Client requests"
              groups={data?.clientKeys ?? []}
              nameOf={(g) => g.displayName || "no key"}
            />
            <GroupTable
              title="Per model"
              description="Client requests"
              groups={data?.models ?? []}
              nameOf={(g) => g.id || "—"}
            />
          </div>
        </>
      )}
    </section>
  )
}

function Total({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="rounded-lg border p-3" title={hint}>
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums">{value}</dd>
    </div>
  )
}

/** One breakdown: a row per account, key or model with its figures. */
export function GroupTable({
  title,
  description,
  groups,
  nameOf,
}: {
  title: string
  description: string
  groups: UsageGroup[]
  nameOf: (group: UsageGroup) => string
}) {
  return (
    <Card className="min-w-0 gap-2 pb-0">
      <CardHeader>
        <CardTitle className="text-sm">{title}</CardTitle>
        <CardDescription className="text-xs">{description}</CardDescription>
      </CardHeader>
      <CardContent className="px-0">
        {groups.length === 0 ? (
          <p className="px-6 pb-4 text-sm text-muted-foreground">Nothing in this range.</p>
        ) : (
          <Table aria-label={title}>
            <TableHeader>
              <TableRow>
                <TableHead className="pl-4">Name</TableHead>
                <TableHead className="text-right">Requests</TableHead>
                <TableHead className="text-right">Errors</TableHead>
                <TableHead className="text-right">Tokens in</TableHead>
                <TableHead className="pr-4 text-right" title="Cached input tokens ÷ input tokens">
                  Cache hit
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {groups.map((group) => (
                <FiguresRow key={group.id} name={nameOf(group)} figures={group.figures} />
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  )
}

function FiguresRow({ name, figures }: { name: string; figures: UsageFigures | undefined }) {
  return (
    <TableRow data-testid="overview-row">
      <TableCell className="max-w-40 truncate pl-4" title={name}>
        {name}
      </TableCell>
      <TableCell className="text-right tabular-nums">{formatCount(figures?.requests ?? 0n)}</TableCell>
      <TableCell className="text-right tabular-nums">{formatCount(figures?.errors ?? 0n)}</TableCell>
      <TableCell
        className="text-right tabular-nums"
        title={`${formatCount(figures?.cachedInputTokens ?? 0n)} cached`}
      >
        {formatCount(figures?.inputTokens ?? 0n)}
      </TableCell>
      <TableCell className="pr-4 text-right tabular-nums">{formatRate(figures)}</TableCell>
    </TableRow>
  )
}
