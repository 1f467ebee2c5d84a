"use client"

import Link from "next/link"
import { useQuery } from "@connectrpc/connect-query"
import { UserPlusIcon, UsersIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { LiveIndicator } from "@/components/live-indicator"
import { QueryError } from "@/components/query-error"
import { Button } from "@/components/ui/button"
import { accountStatus } from "@/lib/accounts"
import { describeError } from "@/lib/errors"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { useAccountsWatch, type WatchOptions } from "@/lib/use-accounts-watch"
import { useNow } from "@/lib/use-now"

import { AccountCard } from "./account-card"
import { AccountsSkeleton } from "./accounts-skeleton"
import { RefreshAllUsageButton } from "./refresh-all-usage-button"

/**
 * The account list, live: WatchAccounts keeps the cached list current, and ListAccounts loads it first (and polls
 * while the stream is down). Loading, error, empty, or one card per account.
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
  const accounts = data?.accounts ?? []
  const active = accounts.filter((account) => accountStatus(account, now).label === "Active").length

  return (
    <section className="grid gap-4" aria-label="Accounts">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex items-center gap-3">
          <p className="text-sm text-muted-foreground" aria-live="polite">
            {summary(accounts.length, active)}
          </p>
          <LiveIndicator status={live.status} onRetry={live.retryNow} />
        </div>
        <RefreshAllUsageButton disabled={accounts.length === 0} />
      </div>

      {error && data ? <StaleNotice error={error} /> : null}

      {isPending && !error ? (
        <AccountsSkeleton />
      ) : error && !data ? (
        <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
      ) : accounts.length === 0 ? (
        <EmptyState icon={UsersIcon} title="No accounts yet">
          <p>
            Add a ChatGPT account to start serving requests: sign in through the browser or with a device
            code, or import a Codex{" "}
            <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs">auth.json</code>.
          </p>
          <Button asChild className="mt-4">
            <Link href="/accounts/add">
              <UserPlusIcon />
              Add account
            </Link>
          </Button>
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
