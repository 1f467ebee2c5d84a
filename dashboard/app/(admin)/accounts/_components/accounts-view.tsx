"use client"

import { useQuery } from "@connectrpc/connect-query"
import { RotateCwIcon, UsersIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { QueryError } from "@/components/query-error"
import { Button } from "@/components/ui/button"
import { accountStatus } from "@/lib/accounts"
import { describeError } from "@/lib/errors"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { useNow } from "@/lib/use-now"

import { AccountCard } from "./account-card"
import { AccountsSkeleton } from "./accounts-skeleton"

/** The account list: loading, error, empty, or one card per account. */
export function AccountsView() {
  const now = useNow()
  const { data, error, isPending, isFetching, refetch } = useQuery(
    listAccounts,
    {},
    { refetchInterval: 30_000 },
  )
  const accounts = data?.accounts ?? []
  const active = accounts.filter((account) => accountStatus(account, now).label === "Active").length

  return (
    <section className="grid gap-4" aria-label="Accounts">
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm text-muted-foreground" aria-live="polite">
          {summary(accounts.length, active)}
        </p>
        <Button variant="outline" size="sm" onClick={() => void refetch()} disabled={isFetching}>
          <RotateCwIcon className={isFetching ? "animate-spin" : undefined} />
          Refresh
        </Button>
      </div>

      {error && data ? <StaleNotice error={error} /> : null}

      {isPending && !error ? (
        <AccountsSkeleton />
      ) : error && !data ? (
        <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
      ) : accounts.length === 0 ? (
        <EmptyState icon={UsersIcon} title="No accounts yet">
          Add a ChatGPT account to start serving requests, for example by posting its Codex{" "}
          <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs">auth.json</code> or tokens to{" "}
          <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs">POST /admin/accounts</code>.
        </EmptyState>
      ) : (
        <div className="grid gap-4 md:grid-cols-2 2xl:grid-cols-3">
          {accounts.map((account) => (
            <AccountCard key={account.id} account={account} now={now} />
          ))}
        </div>
      )}
    </section>
  )
}

function summary(total: number, active: number): string {
  const noun = total === 1 ? "account" : "accounts"
  // The empty state says it already.
  return total === 0 ? "\u00a0" : `${total} ${noun} · ${active} active`
}

/** A refresh failed but an older list is on screen: say so without hiding it. */
function StaleNotice({ error }: { error: unknown }) {
  const { title, message } = describeError(error)
  return (
    <p
      className="rounded-md border border-warning/25 bg-warning/5 px-3 py-2 text-sm text-warning"
      role="status"
    >
      Showing the last loaded list. {title}: {message}
    </p>
  )
}
