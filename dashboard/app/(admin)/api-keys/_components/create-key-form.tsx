"use client"

import { useId, useRef, useState } from "react"
import { createConnectQueryKey, useMutation } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { ChevronDownIcon, ChevronRightIcon, Loader2Icon, PlusIcon } from "lucide-react"

import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { describeError } from "@/lib/errors"
import { NO_LIMITS, limitsFromForm } from "@/lib/key-limits"
import type { CreateApiKeyResponse } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import {
  createApiKey,
  listApiKeys,
} from "@/lib/gen/multicodex/control/v1/api_key_service-ApiKeyService_connectquery"

import { LimitsFields } from "./limits-fields"
import { SecretDialog } from "./secret-dialog"

/** Name (and limits, if opened) → CreateApiKey → the secret, once, in a dialog. */
export function CreateKeyForm() {
  const id = useId()
  const queryClient = useQueryClient()
  const nameInput = useRef<HTMLInputElement>(null)
  const [name, setName] = useState("")
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null)
  const [showLimits, setShowLimits] = useState(false)
  const [limits, setLimits] = useState(NO_LIMITS)
  const [limitErrors, setLimitErrors] = useState<Record<string, string>>({})
  const create = useMutation(createApiKey, {
    onSuccess: (response) => {
      setCreated(response)
      setName("")
      setLimits(NO_LIMITS)
      setShowLimits(false)
      void queryClient.invalidateQueries({
        queryKey: createConnectQueryKey({ schema: listApiKeys, cardinality: undefined }),
      })
    },
  })
  const error = create.error ? describeError(create.error) : null

  return (
    <>
      <form
        className="grid gap-4"
        onSubmit={(event) => {
          event.preventDefault()
          const read = showLimits ? limitsFromForm(limits) : null
          setLimitErrors(read?.errors ?? {})
          if (read && Object.keys(read.errors).length > 0) {
            return
          }
          create.mutate({ name: name.trim(), limits: read?.limits })
        }}
      >
        <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
          <div className="grid flex-1 gap-2 sm:max-w-sm">
            <Label htmlFor={`${id}-name`} className="sr-only">
              Key name
            </Label>
            <Input
              id={`${id}-name`}
              ref={nameInput}
              placeholder="Key name, e.g. laptop or ci"
              maxLength={100}
              value={name}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(event) => {
                setName(event.target.value)
                create.reset()
              }}
            />
            {error ? (
              <p id={`${id}-error`} role="alert" className="text-sm text-destructive">
                {error.message}
              </p>
            ) : null}
          </div>
          <Button type="submit" disabled={!name.trim() || create.isPending}>
            {create.isPending ? <Loader2Icon className="animate-spin" /> : <PlusIcon />}
            Create key
          </Button>
        </div>
        <div className="grid gap-4">
          <Button
            type="button"
            variant="ghost"
            className="justify-self-start"
            aria-expanded={showLimits}
            onClick={() => setShowLimits((open) => !open)}
          >
            {showLimits ? <ChevronDownIcon /> : <ChevronRightIcon />}
            Limits
          </Button>
          {showLimits ? (
            <LimitsFields
              values={limits}
              errors={limitErrors}
              onChange={(next) => {
                setLimits(next)
                create.reset()
              }}
            />
          ) : null}
        </div>
      </form>
      {/* Closed, focus goes back to the name field (the Create key button is disabled while it is empty). */}
      <SecretDialog created={created} onClose={() => setCreated(null)} returnFocus={nameInput} />
    </>
  )
}
