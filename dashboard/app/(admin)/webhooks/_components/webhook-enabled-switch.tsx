"use client"

import { useMutation } from "@connectrpc/connect-query"
import { toast } from "sonner"

import { Switch } from "@/components/ui/switch"
import { describeError } from "@/lib/errors"
import type { Webhook } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { updateWebhook } from "@/lib/gen/multicodex/control/v1/webhook_service-WebhookService_connectquery"

import { useRefreshWebhooks } from "./use-webhook-cache"

/** Turns a webhook on or off (update mask `enabled`); a disabled webhook gets no events, but test events still go. */
export function WebhookEnabledSwitch({ webhook, label }: { webhook: Webhook; label: string }) {
  const refresh = useRefreshWebhooks()
  const update = useMutation(updateWebhook, {
    onSuccess: () => void refresh(),
    onError: (error) =>
      toast.error("Could not change the webhook", { description: describeError(error).message }),
  })
  return (
    <Switch
      aria-label={label}
      checked={update.isPending ? Boolean(update.variables?.webhook?.enabled) : webhook.enabled !== false}
      disabled={update.isPending}
      onCheckedChange={(enabled) =>
        update.mutate({ webhook: { id: webhook.id, enabled }, updateMask: { paths: ["enabled"] } })
      }
    />
  )
}
