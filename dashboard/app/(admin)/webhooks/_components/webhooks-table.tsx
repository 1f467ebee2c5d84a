"use client"

import Link from "next/link"

import { Card } from "@/components/ui/card"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { toDate } from "@/lib/accounts"
import { formatDateTime, formatRelativeTime } from "@/lib/format"
import type { Webhook } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { useNow } from "@/lib/use-now"
import { describeFilter } from "@/lib/webhooks"

import { AttemptBadge } from "./attempt-badge"
import { WebhookEnabledSwitch } from "./webhook-enabled-switch"

/** The webhooks: where they point (a link to the webhook's page), what they get, on/off, and the last delivery. */
export function WebhooksTable({ webhooks }: { webhooks: Webhook[] }) {
  const now = useNow()
  return (
    <Card className="py-0">
      <Table aria-label="Webhooks">
        <TableHeader>
          <TableRow>
            <TableHead className="pl-4">Endpoint</TableHead>
            <TableHead>Events</TableHead>
            <TableHead>Last delivery</TableHead>
            <TableHead className="pr-4 text-right">Enabled</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {webhooks.map((webhook) => {
            const last = webhook.lastAttempt
            const lastTime = toDate(last?.time)
            return (
              <TableRow key={webhook.id} data-testid="webhook-row">
                <TableCell className="max-w-[28rem] pl-4">
                  <Link
                    href={`/webhooks/${webhook.id}`}
                    className="block truncate font-mono text-xs font-medium underline-offset-4 hover:underline"
                    title={webhook.url}
                  >
                    {webhook.url}
                  </Link>
                  {webhook.description ? (
                    <span className="block truncate text-xs text-muted-foreground">
                      {webhook.description}
                    </span>
                  ) : null}
                </TableCell>
                <TableCell className="max-w-[16rem] truncate text-sm">
                  {describeFilter(webhook.eventTypes)}
                </TableCell>
                <TableCell>
                  {last && lastTime ? (
                    <span className="flex items-center gap-2" title={formatDateTime(lastTime, now)}>
                      <AttemptBadge attempt={last} />
                      <span className="text-xs text-muted-foreground">
                        {formatRelativeTime(lastTime, now)}
                      </span>
                    </span>
                  ) : (
                    <span className="text-xs text-muted-foreground">None yet</span>
                  )}
                </TableCell>
                <TableCell className="pr-4 text-right">
                  <WebhookEnabledSwitch webhook={webhook} label={`Enabled: ${webhook.url}`} />
                </TableCell>
              </TableRow>
            )
          })}
        </TableBody>
      </Table>
    </Card>
  )
}
