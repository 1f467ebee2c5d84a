"use client"

import { useMutation } from "@connectrpc/connect-query"
import { Loader2Icon, SendIcon } from "lucide-react"
import { toast } from "sonner"

import { Button } from "@/components/ui/button"
import { describeError } from "@/lib/errors"
import { testWebhook } from "@/lib/gen/multicodex/control/v1/webhook_service-WebhookService_connectquery"

import { useRefreshWebhooks } from "./use-webhook-cache"

/** Queues a test event for this webhook alone (even when it is off); its attempts show in the delivery log. */
export function SendTestButton({ webhookId }: { webhookId: string }) {
  const refresh = useRefreshWebhooks()
  const send = useMutation(testWebhook, {
    onSuccess: () => {
      toast.success("Test event queued", { description: "Its delivery appears in the log below." })
      void refresh()
    },
    onError: (error) =>
      toast.error("Could not send a test event", { description: describeError(error).message }),
  })
  return (
    <Button variant="outline" disabled={send.isPending} onClick={() => send.mutate({ id: webhookId })}>
      {send.isPending ? <Loader2Icon className="animate-spin" /> : <SendIcon />}
      Send test event
    </Button>
  )
}
