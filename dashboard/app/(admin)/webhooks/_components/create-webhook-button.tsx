"use client"

import { useState } from "react"
import { useMutation } from "@connectrpc/connect-query"
import { PlusIcon } from "lucide-react"

import { Button } from "@/components/ui/button"
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog"
import { describeError } from "@/lib/errors"
import type { CreateWebhookResponse } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { createWebhook } from "@/lib/gen/multicodex/control/v1/webhook_service-WebhookService_connectquery"

import { useRefreshWebhooks } from "./use-webhook-cache"
import { EMPTY_WEBHOOK, WebhookForm } from "./webhook-form"
import { WebhookSecretDialog } from "./webhook-secret-dialog"

/** "Add webhook": the form in a dialog, then the new webhook's signing secret, once. */
export function CreateWebhookButton() {
  const [open, setOpen] = useState(false)
  const [created, setCreated] = useState<CreateWebhookResponse | null>(null)
  const refresh = useRefreshWebhooks()
  const create = useMutation(createWebhook, {
    onSuccess: (response) => {
      setOpen(false)
      setCreated(response)
      void refresh()
    },
  })

  return (
    <>
      <Button onClick={() => setOpen(true)}>
        <PlusIcon />
        Add webhook
      </Button>
      <Dialog
        open={open}
        onOpenChange={(next) => {
          if (!create.isPending) {
            create.reset()
            setOpen(next)
          }
        }}
      >
        <DialogContent className="sm:max-w-lg">
          <DialogHeader>
            <DialogTitle>Add webhook</DialogTitle>
            <DialogDescription>
              MultiCodex POSTs each event to this URL, signed with a secret you see once.
            </DialogDescription>
          </DialogHeader>
          {open ? (
            <WebhookForm
              initial={EMPTY_WEBHOOK}
              submitLabel="Add webhook"
              pending={create.isPending}
              error={create.error ? describeError(create.error).message : null}
              onSubmit={(values) => create.mutate({ webhook: values })}
            />
          ) : null}
        </DialogContent>
      </Dialog>
      <WebhookSecretDialog created={created} onClose={() => setCreated(null)} />
    </>
  )
}
