import type { Metadata } from "next"
import Link from "next/link"
import { UserPlusIcon } from "lucide-react"

import { PageHeader } from "@/components/page-header"
import { Button } from "@/components/ui/button"

import { AccountsView } from "./_components/accounts-view"

export const metadata: Metadata = { title: "Accounts" }

export default function AccountsPage() {
  return (
    <>
      <PageHeader
        title="Accounts"
        description="The ChatGPT accounts MultiCodex routes requests through, with their state and usage."
      >
        <Button asChild>
          <Link href="/accounts/add">
            <UserPlusIcon />
            Add account
          </Link>
        </Button>
      </PageHeader>
      <AccountsView />
    </>
  )
}
