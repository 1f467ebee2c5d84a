"use client"

import { useState } from "react"
import { createConnectQueryKey, useMutation } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { AlertCircleIcon, Loader2Icon, SlidersHorizontalIcon } from "lucide-react"

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
import { describeError } from "@/lib/errors"
import type { ApiKey } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import {
  listApiKeys,
  updateApiKey,
} from "@/lib/gen/multicodex/control/v1/api_key_service-ApiKeyService_connectquery"
import { formFromLimits, limitsFromForm } from "@/lib/key-limits"

import { LimitsFields } from "./limits-fields"

/** Edits a key's limits in a dialog; every limit is sent under the mask `limits`, so an emptied field is cleared. */
export function EditLimitsButton({ apiKey }: { apiKey: ApiKey }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button
        variant="outline"
        size="sm"
        aria-label={`Limits of ${apiKey.name}`}
        onClick={() => setOpen(true)}
      >
        <SlidersHorizontalIcon />
        Limits
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="sm:max-w-xl">
          <DialogHeader>
            <DialogTitle>Limits of “{apiKey.name}”</DialogTitle>
            <DialogDescription>
              Every Edge applies them within moments; the key and its secret stay the same.
            </DialogDescription>
          </DialogHeader>
          {/* Mounted only while open, so each opening starts from the key's current limits. */}
          {open ? <EditLimitsForm apiKey={apiKey} onDone={() => setOpen(false)} /> : null}
        </DialogContent>
      </Dialog>
    </>
  )
}

function EditLimitsForm({ apiKey, onDone }: { apiKey: ApiKey; onDone: () => void }) {
  const queryClient = useQueryClient()
  const [values, setValues] = useState(() => formFromLimits(apiKey.limits))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const update = useMutation(updateApiKey, {
    onSuccess: () => {
      void queryClient.invalidateQueries({
        queryKey: createConnectQueryKey({ schema: listApiKeys, cardinality: undefined }),
      })
      onDone()
    },
  })

  return (
    <form
      className="grid gap-4"
      onSubmit={(event) => {
        event.preventDefault()
        const read = limitsFromForm(values)
        setErrors(read.errors)
        if (Object.keys(read.errors).length === 0) {
          update.mutate({ apiKey: { id: apiKey.id, limits: read.limits }, updateMask: { paths: ["limits"] } })
        }
      }}
    >
      <LimitsFields
        values={values}
        errors={errors}
        onChange={(next) => {
          setValues(next)
          update.reset()
        }}
      />
      {update.error ? (
        <Alert variant="destructive">
          <AlertCircleIcon />
          <AlertDescription>{describeError(update.error).message}</AlertDescription>
        </Alert>
      ) : null}
      <DialogFooter>
        <DialogClose asChild>
          <Button type="button" variant="outline" disabled={update.isPending}>
            Cancel
          </Button>
        </DialogClose>
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? <Loader2Icon className="animate-spin" /> : null}
          Save limits
        </Button>
      </DialogFooter>
    </form>
  )
}
