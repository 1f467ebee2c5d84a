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

/**
 * A secret shown once, when it is created (Control keeps only a hash or never shows it again): a read-only field
 * with a copy button and the warning to copy it now. Closing the dialog drops the secret from memory too.
 */
export function SecretOnceDialog({
  secret,
  title,
  description,
  secretLabel,
  testId,
  ifLost,
  onClose,
  returnFocus,
  children,
}: {
  /** The secret; null when there is nothing to show (the dialog is closed). */
  secret: string | null
  title: React.ReactNode
  description: React.ReactNode
  /** The field's accessible name, e.g. "API key secret". */
  secretLabel: string
  testId: string
  /** What to do if the secret is lost. */
  ifLost: string
  onClose: () => void
  returnFocus?: React.RefObject<HTMLElement | null>
  /** How the secret is used, under the warning. */
  children?: React.ReactNode
}) {
  return (
    <Dialog open={secret !== null} onOpenChange={(open) => !open && onClose()}>
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
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription className="break-all">{description}</DialogDescription>
        </DialogHeader>
        <div className="flex gap-2">
          <Input
            readOnly
            value={secret ?? ""}
            aria-label={secretLabel}
            data-testid={testId}
            className="font-mono text-xs"
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton value={secret ?? ""} label="Copy the secret" showText variant="default" />
        </div>
        <p className="flex items-start gap-2 rounded-md border border-warning/30 bg-warning/5 px-3 py-2 text-sm text-warning">
          <TriangleAlertIcon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>Copy it now: you won’t see it again. {ifLost}</span>
        </p>
        {children ? <p className="text-xs text-muted-foreground">{children}</p> : null}
        <DialogFooter>
          <Button onClick={onClose}>Done</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
