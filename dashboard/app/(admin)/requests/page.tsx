import type { Metadata } from "next"
import { Suspense } from "react"

import { PageHeader } from "@/components/page-header"
import { Skeleton } from "@/components/ui/skeleton"

import { LiveWebSocketSessions } from "./_components/live-websocket-sessions"
import { RequestsView } from "./_components/requests-view"
import { UsageCharts } from "./_components/usage-charts"
import { UsageOverview } from "./_components/usage-overview"

export const metadata: Metadata = { title: "Requests" }

export default function RequestsPage() {
  return (
    <>
      <PageHeader
        title="Requests"
        description="Every /v1 request with its failover chain, totals per account, key and model, and each account's usage over time; kept across restarts."
      />
      <UsageOverview />
      <LiveWebSocketSessions />
      {/* The filters live in the URL: read on the client, so the page itself stays static. */}
      <Suspense fallback={<Skeleton className="h-60" />}>
        <RequestsView />
      </Suspense>
      <UsageCharts />
    </>
  )
}
