"use client"

import { useQuery } from "@connectrpc/connect-query"
import { WebhookIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { QueryError } from "@/components/query-error"
import { Skeleton } from "@/components/ui/skeleton"
import { listWebhooks } from "@/lib/gen/multicodex/control/v1/webhook_service-WebhookService_connectquery"

import { WebhooksTable } from "./webhooks-table"

export const WEBHOOKS_REFRESH_MS = 10_000

/** The webhooks with their last delivery (refreshed every few seconds), or what they are for while there is none. */
export function WebhooksView() {
  const { data, error, isPending, isFetching, refetch } = useQuery(
    listWebhooks,
    {},
    { refetchInterval: WEBHOOKS_REFRESH_MS },
  )
  const webhooks = data?.webhooks ?? []

  if (isPending && !error) {
    return (
      <div className="grid gap-2" aria-busy="true" aria-label="Loading webhooks">
        <Skeleton className="h-10 w-full" />
        <Skeleton className="h-10 w-full" />
      </div>
    )
  }
  if (error && !data) {
    return <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
  }
  if (webhooks.length === 0) {
    return (
      <EmptyState icon={WebhookIcon} title="No webhooks yet">
        Add one to have MultiCodex POST a signed JSON event to your chat relay, pager or automation when an
        account is blocked or needs a new sign-in, or when the pool runs dry.
      </EmptyState>
    )
  }
  return <WebhooksTable webhooks={webhooks} />
}
