"use client"

import { useId, useRef, useState } from "react"
import { createConnectQueryKey, useMutation } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { Loader2Icon, PlusIcon } from "lucide-react"

import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { describeError } from "@/lib/errors"
import type { CreateApiKeyResponse } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import {
  createApiKey,
  listApiKeys,
} from "@/lib/gen/multicodex/control/v1/api_key_service-ApiKeyService_connectquery"

import { SecretDialog } from "./secret-dialog"

/** Name → CreateApiKey → the secret, once, in a dialog. */
export function CreateKeyForm() {
  const id = useId()
  const queryClient = useQueryClient()
  const nameInput = useRef<HTMLInputElement>(null)
  const [name, setName] = useState("")
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null)
  const create = useMutation(createApiKey, {
    onSuccess: (response) => {
      setCreated(response)
      setName("")
      void queryClient.invalidateQueries({
        queryKey: createConnectQueryKey({ schema: listApiKeys, cardinality: undefined }),
      })
    },
  })
  const error = create.error ? describeError(create.error) : null

  return (
    <>
      <form
        className="flex flex-col gap-2 sm:flex-row sm:items-start"
        onSubmit={(event) => {
          event.preventDefault()
          create.mutate({ name: name.trim() })
        }}
      >
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
      </form>
      {/* Closed, focus goes back to the name field (the Create key button is disabled while it is empty). */}
      <SecretDialog created={created} onClose={() => setCreated(null)} returnFocus={nameInput} />
    </>
  )
}
