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
import type { CreateApiKeyResponse } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"

/**
 * Shows a new key's secret, the only time it is ever shown (Control keeps a hash). Closing the dialog drops it
 * from memory too.
 */
export function SecretDialog({
  created,
  onClose,
  returnFocus,
}: {
  created: CreateApiKeyResponse | null
  onClose: () => void
  returnFocus?: React.RefObject<HTMLElement | null>
}) {
  const origin = typeof window === "undefined" ? "" : window.location.origin
  return (
    <Dialog open={created !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        className="sm:max-w-lg"
        // A stray click outside must not throw the only copy of the secret away.
        onInteractOutside={(event) => event.preventDefault()}
        onCloseAutoFocus={(event) => {
          if (returnFocus?.current) {
            event.preventDefault()
            returnFocus.current.focus()
          }
        }}
      >
        <DialogHeader>
          <DialogTitle>Key “{created?.apiKey?.name}” created</DialogTitle>
          <DialogDescription>Give this secret to the client that will use it.</DialogDescription>
        </DialogHeader>
        <div className="flex gap-2">
          <Input
            readOnly
            value={created?.secret ?? ""}
            aria-label="API key secret"
            data-testid="api-key-secret"
            className="font-mono text-xs"
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton value={created?.secret ?? ""} label="Copy the secret" showText variant="default" />
        </div>
        <p className="flex items-start gap-2 rounded-md border border-warning/30 bg-warning/5 px-3 py-2 text-sm text-warning">
          <TriangleAlertIcon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>
            Copy it now: you won’t see it again. MultiCodex keeps only a hash; if it is lost, revoke the key
            and create another.
          </span>
        </p>
        <p className="text-xs text-muted-foreground">
          Clients send it as <span className="font-mono">Authorization: Bearer &lt;secret&gt;</span> to{" "}
          <span className="font-mono">{origin}/v1</span>.
        </p>
        <DialogFooter>
          <Button onClick={onClose}>Done</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
