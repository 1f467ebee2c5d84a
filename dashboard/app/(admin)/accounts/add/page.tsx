import type { Metadata } from "next"

import { PageHeader } from "@/components/page-header"

import { AddAccountTabs } from "./_components/add-account-tabs"

export const metadata: Metadata = { title: "Add account" }

export default function AddAccountPage() {
  return (
    <>
      <PageHeader
        title="Add account"
        description="Sign a ChatGPT account into the pool. Its tokens stay on this server; new accounts appear on the Accounts page at once."
      />
      <AddAccountTabs />
    </>
  )
}
