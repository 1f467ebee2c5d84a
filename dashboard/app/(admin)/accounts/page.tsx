import type { Metadata } from "next"

import { AccountsView } from "./_components/accounts-view"

export const metadata: Metadata = { title: "Accounts" }

export default function AccountsPage() {
  return (
    <>
      <div className="grid gap-1">
        <h2 className="text-2xl font-semibold tracking-tight">Accounts</h2>
        <p className="text-sm text-muted-foreground">
          The ChatGPT accounts MultiCodex routes requests through, with their state and usage.
        </p>
      </div>
      <AccountsView />
    </>
  )
}
