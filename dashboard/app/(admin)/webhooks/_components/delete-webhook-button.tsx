"use client"

import { useState } from "react"
import { useMutation } from "@connectrpc/connect-query"
import { Trash2Icon } from "lucide-react"
import { useRouter } from "next/navigation"
import { toast } from "sonner"

import { ConfirmDialog } from "@/components/confirm-dialog"
import { Button } from "@/components/ui/button"
import { describeError } from "@/lib/errors"
import type { Webhook } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { deleteWebhook } from "@/lib/gen/multicodex/control/v1/webhook_service-WebhookService_connectquery"

import { useRefreshWebhooks } from "./use-webhook-cache"

/** Delete, after a confirmation naming the URL; then back to the list. */
export function DeleteWebhookButton({ webhook }: { webhook: Webhook }) {
  const router = useRouter()
  const refresh = useRefreshWebhooks()
  const [open, setOpen] = useState(false)
  const remove = useMutation(deleteWebhook, {
    onSuccess: () => {
      setOpen(false)
      toast.success("Webhook deleted")
      void refresh()
      router.push("/webhooks")
    },
    onError: (error) =>
      toast.error("Could not delete the webhook", { description: describeError(error).message }),
  })

  return (
    <>
      <Button
        variant="outline"
        className="text-destructive hover:bg-destructive/10 hover:text-destructive"
        onClick={() => setOpen(true)}
      >
        <Trash2Icon />
        Delete
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Delete this webhook?"
        description={
          <p>
            <span className="font-mono break-all">{webhook.url}</span> gets no more events; deliveries still
            waiting for it are dropped.
          </p>
        }
        confirmLabel="Delete webhook"
        pending={remove.isPending}
        onConfirm={() => remove.mutate({ id: webhook.id })}
      />
    </>
  )
}
