"use client"

import { useState } from "react"
import Link from "next/link"
import { useQuery } from "@connectrpc/connect-query"
import { SearchXIcon, UserPlusIcon, UsersIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { LiveIndicator } from "@/components/live-indicator"
import { QueryError } from "@/components/query-error"
import { Button } from "@/components/ui/button"
import { filterAccounts, sortAccounts, type AccountFilter, type Sort } from "@/lib/account-table"
import { describeError } from "@/lib/errors"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { useAccountsWatch, type WatchOptions } from "@/lib/use-accounts-watch"
import { useNow } from "@/lib/use-now"
import { useStoredChoice } from "@/lib/use-stored-choice"

import { AccountCard } from "./account-card"
import { AccountsSkeleton } from "./accounts-skeleton"
import { AccountsTable } from "./accounts-table"
import { AccountsToolbar, accountsLayouts } from "./accounts-toolbar"
import { PoolSummary } from "./pool-summary"
import { RefreshAllUsageButton } from "./refresh-all-usage-button"

/**
 * The account pool, live: WatchAccounts keeps the cached list current, and ListAccounts loads it first (and polls
 * while the stream is down). The pool's health on top, then the accounts as cards or as a table.
 */
export function AccountsView({ watch }: { watch?: WatchOptions }) {
  const now = useNow()
  const live = useAccountsWatch(watch)
  const streaming = live.status === "live"
  const { data, error, isPending, isFetching, refetch } = useQuery(
    listAccounts,
    {},
    { refetchInterval: streaming ? false : 30_000, staleTime: streaming ? Infinity : 10_000 },
  )
  const [layout, setLayout] = useStoredChoice("multicodex.accounts-layout", accountsLayouts, "cards")
  const [filter, setFilter] = useState<AccountFilter>({ text: "", state: "all" })
  const [sort, setSort] = useState<Sort>({ key: "state", direction: "asc" })
  const accounts = data?.accounts ?? []
  const shown = filterAccounts(accounts, filter, now)

  return (
    <section className="grid gap-4" aria-label="Accounts">
      <PoolSummary accounts={accounts} now={now} />
      {error && data ? <StaleNotice error={error} /> : null}

      {isPending && !error ? (
        <AccountsSkeleton />
      ) : error && !data ? (
        <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
      ) : accounts.length === 0 ? (
        <>
          <LiveIndicator status={live.status} onRetry={live.retryNow} className="justify-self-start" />
          <NoAccounts />
        </>
      ) : (
        <>
          <AccountsToolbar filter={filter} onFilter={setFilter} layout={layout} onLayout={setLayout}>
            <LiveIndicator status={live.status} onRetry={live.retryNow} />
            <RefreshAllUsageButton disabled={accounts.length === 0} />
          </AccountsToolbar>
          <p className="sr-only" aria-live="polite">
            {shown.length === accounts.length
              ? `${accounts.length} ${accounts.length === 1 ? "account" : "accounts"}`
              : `${shown.length} of ${accounts.length} accounts shown`}
          </p>
          {shown.length === 0 ? (
            <EmptyState icon={SearchXIcon} title="No account matches the filter" className="py-10">
              <Button
                variant="outline"
                className="mt-3"
                onClick={() => setFilter({ text: "", state: "all" })}
              >
                Clear the filter
              </Button>
            </EmptyState>
          ) : layout === "table" ? (
            <AccountsTable accounts={sortAccounts(shown, sort, now)} now={now} sort={sort} onSort={setSort} />
          ) : (
            <div className="grid gap-4 md:grid-cols-2 2xl:grid-cols-3">
              {shown.map((account) => (
                <AccountCard key={account.id} account={account} now={now} />
              ))}
            </div>
          )}
        </>
      )}
    </section>
  )
}

function NoAccounts() {
  return (
    <EmptyState icon={UsersIcon} title="No accounts yet">
      <p>
        Add a ChatGPT account to start serving requests: sign in through the browser or with a device code, or
        import a Codex <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs">auth.json</code>.
      </p>
      <Button asChild className="mt-4">
        <Link href="/accounts/add">
          <UserPlusIcon />
          Add account
        </Link>
      </Button>
    </EmptyState>
  )
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
