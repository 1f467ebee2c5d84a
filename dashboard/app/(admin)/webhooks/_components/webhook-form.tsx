"use client"

import { useId, useState } from "react"
import { AlertCircleIcon, Loader2Icon } from "lucide-react"

import { Alert, AlertDescription } from "@/components/ui/alert"
import { Button } from "@/components/ui/button"
import { DialogClose, DialogFooter } from "@/components/ui/dialog"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { Switch } from "@/components/ui/switch"
import type { Event_Type } from "@/lib/gen/multicodex/control/v1/event_pb"
import { EVENT_TYPES, describeFilter } from "@/lib/webhooks"

export interface WebhookFormValues {
  url: string
  description: string
  eventTypes: Event_Type[]
  enabled: boolean
}

export const EMPTY_WEBHOOK: WebhookFormValues = { url: "", description: "", eventTypes: [], enabled: true }

/** URL, description, the event types (none chosen: every type) and the on/off switch; used to add and to edit. */
export function WebhookForm({
  initial,
  submitLabel,
  pending,
  error,
  onSubmit,
}: {
  initial: WebhookFormValues
  submitLabel: string
  pending: boolean
  error: string | null
  onSubmit: (values: WebhookFormValues) => void
}) {
  const id = useId()
  const [url, setUrl] = useState(initial.url)
  const [description, setDescription] = useState(initial.description)
  const [types, setTypes] = useState<Event_Type[]>(initial.eventTypes)
  const [enabled, setEnabled] = useState(initial.enabled)
  const toggle = (type: Event_Type, on: boolean) =>
    setTypes((current) => (on ? [...current, type] : current.filter((t) => t !== type)))

  return (
    <form
      className="grid gap-4"
      onSubmit={(event) => {
        event.preventDefault()
        onSubmit({ url: url.trim(), description: description.trim(), eventTypes: types, enabled })
      }}
    >
      <div className="grid gap-2">
        <Label htmlFor={`${id}-url`}>URL</Label>
        <Input
          id={`${id}-url`}
          type="url"
          required
          autoFocus
          maxLength={2048}
          placeholder="https://hooks.example.com/multicodex"
          value={url}
          aria-describedby={`${id}-url-hint`}
          onChange={(event) => setUrl(event.target.value)}
        />
        <p id={`${id}-url-hint`} className="text-xs text-muted-foreground">
          Events are POSTed here as JSON; http or https, loopback and private addresses included.
        </p>
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-description`}>Description</Label>
        <Input
          id={`${id}-description`}
          maxLength={200}
          placeholder="e.g. on-call pager"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <fieldset className="grid gap-2">
        <legend className="mb-2 text-sm font-medium">Events</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {EVENT_TYPES.map((info) => (
            <label key={info.type} className="flex items-start gap-2 text-sm" title={info.description}>
              <input
                type="checkbox"
                className="mt-0.5 size-4 accent-primary"
                checked={types.includes(info.type)}
                onChange={(event) => toggle(info.type, event.target.checked)}
              />
              {info.label}
            </label>
          ))}
        </div>
        <p className="text-xs text-muted-foreground" aria-live="polite">
          Sends: {describeFilter(types)}
          {types.length === 0 ? " (none chosen)" : ""}.
        </p>
      </fieldset>
      <div className="flex items-center gap-2">
        <Switch id={`${id}-enabled`} checked={enabled} onCheckedChange={setEnabled} />
        <Label htmlFor={`${id}-enabled`}>Enabled</Label>
      </div>
      {error ? (
        <Alert variant="destructive">
          <AlertCircleIcon />
          <AlertDescription>{error}</AlertDescription>
        </Alert>
      ) : null}
      <DialogFooter>
        <DialogClose asChild>
          <Button type="button" variant="outline" disabled={pending}>
            Cancel
          </Button>
        </DialogClose>
        <Button type="submit" disabled={pending || !url.trim()}>
          {pending ? <Loader2Icon className="animate-spin" /> : null}
          {submitLabel}
        </Button>
      </DialogFooter>
    </form>
  )
}
