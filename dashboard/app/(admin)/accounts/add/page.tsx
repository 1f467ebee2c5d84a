import { Suspense } from "react"
import type { Metadata } from "next"

import { PageHeader } from "@/components/page-header"

import { AddAccountTabs } from "./_components/add-account-tabs"

export const metadata: Metadata = { title: "Add account" }

export default function AddAccountPage() {
  return (
    <>
      <PageHeader
        title="Add account"
        description="Sign a ChatGPT account into the pool, or sign one in again. Its tokens stay on this server; accounts appear on the Accounts page at once."
      />
      {/* The tabs read ?renew= from the URL, which a static page only knows in the browser. */}
      <Suspense>
        <AddAccountTabs />
      </Suspense>
    </>
  )
}
