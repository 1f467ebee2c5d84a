"use client"

import { useQuery } from "@connectrpc/connect-query"
import { ShieldOffIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { QueryError } from "@/components/query-error"
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Skeleton } from "@/components/ui/skeleton"
import { RangeToggle } from "@/components/range-toggle"
import { listApiKeys } from "@/lib/gen/multicodex/control/v1/api_key_service-ApiKeyService_connectquery"
import { getUsageOverview } from "@/lib/gen/multicodex/control/v1/usage_service-UsageService_connectquery"
import { overviewInput, overviewRangeValues, overviewRanges } from "@/lib/usage-overview"
import { useStoredChoice } from "@/lib/use-stored-choice"

import { ApiKeysTable } from "./api-keys-table"
import { CreateKeyForm } from "./create-key-form"

/** Create a key, and the list of keys with each one's use over a chosen range (or why an empty list matters). */
export function ApiKeysView() {
  const { data, error, isPending, isFetching, refetch } = useQuery(listApiKeys, {})
  const keys = data?.apiKeys ?? []
  const [range, setRange] = useStoredChoice("multicodex.key-usage-range", overviewRangeValues, "24h")
  const overview = useQuery(getUsageOverview, overviewInput(range), { refetchInterval: 30_000 })
  const usage = new Map((overview.data?.clientKeys ?? []).map((group) => [group.id, group.figures]))

  return (
    <div className="grid grid-cols-1 gap-6">
      <Card>
        <CardHeader>
          <CardTitle>Create a key</CardTitle>
          <CardDescription>Name it after who or what will use it; the secret is shown once.</CardDescription>
        </CardHeader>
        <CardContent>
          <CreateKeyForm />
        </CardContent>
      </Card>

      {isPending && !error ? (
        <div className="grid gap-2" aria-busy="true" aria-label="Loading API keys">
          <Skeleton className="h-10 w-full" />
          <Skeleton className="h-10 w-full" />
        </div>
      ) : error && !data ? (
        <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
      ) : keys.length === 0 ? (
        <EmptyState icon={ShieldOffIcon} title="No API keys: /v1 is open" className="border-warning/40">
          While no key exists, <span className="font-mono text-xs">/v1</span> is open to anyone who can reach
          this port, and every request they send uses your accounts. Create a key above to require it.
        </EmptyState>
      ) : (
        <section className="grid grid-cols-1 gap-2" aria-label="Keys and their use">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-sm text-muted-foreground">
              Use per key over the last {overviewRanges.find((r) => r.value === range)?.label}. A key holder
              reads their own with <span className="font-mono text-xs">GET /v1/usage</span> and the key.
            </p>
            <RangeToggle ranges={overviewRanges} value={range} onChange={setRange} label="Usage range" />
          </div>
          <ApiKeysTable keys={keys} usage={usage} />
        </section>
      )}
    </div>
  )
}
