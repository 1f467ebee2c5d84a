"use client"

import Link from "next/link"
import { Code } from "@connectrpc/connect"
import { useQuery } from "@connectrpc/connect-query"
import { ArrowLeftIcon, WebhookOffIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { QueryError } from "@/components/query-error"
import { Badge } from "@/components/ui/badge"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Skeleton } from "@/components/ui/skeleton"
import { toDate } from "@/lib/accounts"
import { describeError } from "@/lib/errors"
import { formatDateTime, withEllipsis } from "@/lib/format"
import { getWebhook } from "@/lib/gen/multicodex/control/v1/webhook_service-WebhookService_connectquery"
import { useNow } from "@/lib/use-now"
import { describeFilter } from "@/lib/webhooks"

import { DeleteWebhookButton } from "./delete-webhook-button"
import { DeliveryLog } from "./delivery-log"
import { EditWebhookButton } from "./edit-webhook-button"
import { SendTestButton } from "./send-test-button"
import { WebhookEnabledSwitch } from "./webhook-enabled-switch"

/** One webhook's page: where it points and what it gets, its actions, and its delivery log. */
export function WebhookDetail({ id }: { id: string }) {
  const now = useNow()
  const { data, error, isPending, isFetching, refetch } = useQuery(getWebhook, { id })
  const webhook = data?.webhook

  if (isPending && !error) {
    return <Skeleton className="h-48 w-full" aria-busy="true" aria-label="Loading the webhook" />
  }
  if (error && describeError(error).code === Code.NotFound) {
    return (
      <EmptyState icon={WebhookOffIcon} title="No such webhook">
        It may have been deleted.{" "}
        <Link href="/webhooks" className="underline underline-offset-4">
          Back to webhooks
        </Link>
      </EmptyState>
    )
  }
  if (!webhook) {
    return <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
  }
  const created = toDate(webhook.createTime)

  return (
    <div className="grid gap-6">
      <div>
        <Button variant="ghost" size="sm" asChild>
          <Link href="/webhooks">
            <ArrowLeftIcon />
            All webhooks
          </Link>
        </Button>
      </div>
      <Card>
        <CardHeader>
          <CardTitle className="font-mono text-base break-all" data-testid="webhook-url">
            {webhook.url}
          </CardTitle>
          <CardDescription>{webhook.description || "No description"}</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
            <dt className="text-muted-foreground">Events</dt>
            <dd data-testid="webhook-events">{describeFilter(webhook.eventTypes)}</dd>
            <dt className="text-muted-foreground">State</dt>
            <dd className="flex items-center gap-2">
              <WebhookEnabledSwitch webhook={webhook} label="Enabled" />
              <Badge variant={webhook.enabled === false ? "muted" : "success"}>
                {webhook.enabled === false ? "Disabled" : "Enabled"}
              </Badge>
            </dd>
            <dt className="text-muted-foreground">Signing secret</dt>
            <dd className="font-mono text-xs">{withEllipsis(webhook.secretHint)}</dd>
            <dt className="text-muted-foreground">Created</dt>
            <dd>{created ? formatDateTime(created, now) : "—"}</dd>
          </dl>
          <div className="flex flex-wrap gap-2">
            <SendTestButton webhookId={webhook.id} />
            <EditWebhookButton webhook={webhook} />
            <DeleteWebhookButton webhook={webhook} />
          </div>
        </CardContent>
      </Card>
      <DeliveryLog webhookId={webhook.id} />
    </div>
  )
}
