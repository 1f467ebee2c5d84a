"use client"

import { useState } from "react"
import { useMutation } from "@connectrpc/connect-query"
import { PencilIcon } from "lucide-react"

import { Button } from "@/components/ui/button"
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog"
import { describeError } from "@/lib/errors"
import type { Webhook } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { updateWebhook } from "@/lib/gen/multicodex/control/v1/webhook_service-WebhookService_connectquery"

import { useRefreshWebhooks } from "./use-webhook-cache"
import { WebhookForm } from "./webhook-form"

/** Edits URL, description, event types and on/off in a dialog; every field is sent with an explicit mask. */
export function EditWebhookButton({ webhook }: { webhook: Webhook }) {
  const [open, setOpen] = useState(false)
  const refresh = useRefreshWebhooks()
  const update = useMutation(updateWebhook, {
    onSuccess: () => {
      setOpen(false)
      void refresh()
    },
  })

  return (
    <>
      <Button variant="outline" onClick={() => setOpen(true)}>
        <PencilIcon />
        Edit
      </Button>
      <Dialog
        open={open}
        onOpenChange={(next) => {
          if (!update.isPending) {
            update.reset()
            setOpen(next)
          }
        }}
      >
        <DialogContent className="sm:max-w-lg">
          <DialogHeader>
            <DialogTitle>Edit webhook</DialogTitle>
            <DialogDescription>The signing secret stays the same.</DialogDescription>
          </DialogHeader>
          {/* Mounted only while open, so each opening starts from the webhook's current values. */}
          {open ? (
            <WebhookForm
              initial={{
                url: webhook.url,
                description: webhook.description ?? "",
                eventTypes: webhook.eventTypes,
                enabled: webhook.enabled !== false,
              }}
              submitLabel="Save"
              pending={update.isPending}
              error={update.error ? describeError(update.error).message : null}
              onSubmit={(values) =>
                update.mutate({
                  webhook: { id: webhook.id, ...values },
                  // The mask names event_types too, so that clearing every type (all events) is saved.
                  updateMask: { paths: ["url", "description", "event_types", "enabled"] },
                })
              }
            />
          ) : null}
        </DialogContent>
      </Dialog>
    </>
  )
}
