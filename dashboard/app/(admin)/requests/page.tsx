import type { Metadata } from "next"

import { PageHeader } from "@/components/page-header"

import { RequestsTable } from "./_components/requests-table"
import { UsageCharts } from "./_components/usage-charts"

export const metadata: Metadata = { title: "Requests" }

export default function RequestsPage() {
  return (
    <>
      <PageHeader
        title="Requests"
        description="Recent /v1 requests as the Edge reported them, and each account's usage over the last days."
      />
      <UsageCharts />
      <RequestsTable />
    </>
  )
}
