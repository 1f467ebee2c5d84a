"use client"

import { TriangleAlertIcon } from "lucide-react"

import { CopyButton } from "@/components/copy-button"
import { Button } from "@/components/ui/button"
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog"
import { Input } from "@/components/ui/input"
import type { CreateWebhookResponse } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"

/** A new webhook's signing secret, the only time it is ever shown; closing the dialog drops it from memory. */
export function WebhookSecretDialog({
  created,
  onClose,
}: {
  created: CreateWebhookResponse | null
  onClose: () => void
}) {
  return (
    <Dialog open={created !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        className="sm:max-w-lg"
        // A stray click outside must not throw the only copy of the secret away.
        onInteractOutside={(event) => event.preventDefault()}
      >
        <DialogHeader>
          <DialogTitle>Webhook created</DialogTitle>
          <DialogDescription className="break-all">{created?.webhook?.url}</DialogDescription>
        </DialogHeader>
        <div className="flex gap-2">
          <Input
            readOnly
            value={created?.secret ?? ""}
            aria-label="Webhook signing secret"
            data-testid="webhook-secret"
            className="font-mono text-xs"
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton value={created?.secret ?? ""} label="Copy the secret" showText variant="default" />
        </div>
        <p className="flex items-start gap-2 rounded-md border border-warning/30 bg-warning/5 px-3 py-2 text-sm text-warning">
          <TriangleAlertIcon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>
            Copy it now: you won’t see it again. If it is lost, delete the webhook and add it again.
          </span>
        </p>
        <p className="text-xs text-muted-foreground">
          Your receiver checks each delivery with it:{" "}
          <span className="font-mono">X-MultiCodex-Signature</span> is{" "}
          <span className="font-mono">t=&lt;unix time&gt;,v1=&lt;hex&gt;</span>, an HMAC-SHA256 of{" "}
          <span className="font-mono">&lt;t&gt;.&lt;body&gt;</span> keyed with this secret (README, Alerts).
        </p>
        <DialogFooter>
          <Button onClick={onClose}>Done</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
