"use client"

import { useId, useState } from "react"
import { AlertCircleIcon, Loader2Icon } from "lucide-react"

import { Alert, AlertDescription } from "@/components/ui/alert"
import { Button } from "@/components/ui/button"
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { describeError } from "@/lib/errors"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"

import type { AccountActions } from "./use-account-actions"

/** Edits an account's label and priority (lower is served first). */
export function EditAccountDialog({
  account,
  open,
  onOpenChange,
  mutation,
}: {
  account: Account
  open: boolean
  onOpenChange: (open: boolean) => void
  mutation: AccountActions["edit"]
}) {
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!mutation.isPending) {
          mutation.reset()
          onOpenChange(next)
        }
      }}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Edit account</DialogTitle>
          <DialogDescription>{account.email || account.id}</DialogDescription>
        </DialogHeader>
        {/* Mounted only while open, so each opening starts from the account's current values. */}
        <EditForm account={account} mutation={mutation} onSaved={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  )
}

function EditForm({
  account,
  mutation,
  onSaved,
}: {
  account: Account
  mutation: AccountActions["edit"]
  onSaved: () => void
}) {
  const id = useId()
  const [label, setLabel] = useState(account.label || account.email)
  const [priority, setPriority] = useState(String(account.priority ?? 0))
  const error = mutation.error ? describeError(mutation.error) : null

  return (
    <form
      className="grid gap-4"
      onSubmit={(event) => {
        event.preventDefault()
        mutation.mutate(
          {
            account: { id: account.id, label: label.trim(), priority: Number(priority) },
            updateMask: { paths: ["label", "priority"] },
          },
          { onSuccess: onSaved },
        )
      }}
    >
      <div className="grid gap-2">
        <Label htmlFor={`${id}-label`}>Label</Label>
        <Input
          id={`${id}-label`}
          value={label}
          required
          maxLength={100}
          autoFocus
          onChange={(event) => setLabel(event.target.value)}
        />
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-priority`}>Priority</Label>
        <Input
          id={`${id}-priority`}
          type="number"
          inputMode="numeric"
          min={0}
          max={1000}
          step={1}
          required
          value={priority}
          aria-describedby={`${id}-priority-hint`}
          onChange={(event) => setPriority(event.target.value)}
        />
        <p id={`${id}-priority-hint`} className="text-xs text-muted-foreground">
          0 to 1000; lower numbers are served first when usage does not decide.
        </p>
      </div>
      {error ? (
        <Alert variant="destructive">
          <AlertCircleIcon />
          <AlertDescription>{error.message}</AlertDescription>
        </Alert>
      ) : null}
      <DialogFooter>
        <DialogClose asChild>
          <Button type="button" variant="outline" disabled={mutation.isPending}>
            Cancel
          </Button>
        </DialogClose>
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? <Loader2Icon className="animate-spin" /> : null}
          {mutation.isPending ? "Saving…" : "Save"}
        </Button>
      </DialogFooter>
    </form>
  )
}
