"use client"

import { useState } from "react"
import { createConnectQueryKey, useMutation, useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { toast } from "sonner"

import { ConfirmDialog } from "@/components/confirm-dialog"
import { Button } from "@/components/ui/button"
import { describeError } from "@/lib/errors"
import { withEllipsis } from "@/lib/format"
import type { ApiKey, ListApiKeysResponse } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import {
  listApiKeys,
  revokeApiKey,
} from "@/lib/gen/multicodex/control/v1/api_key_service-ApiKeyService_connectquery"

/** Revoke, after a confirmation that names the key; the row goes at once. */
export function RevokeKeyButton({ apiKey }: { apiKey: ApiKey }) {
  const transport = useTransport()
  const queryClient = useQueryClient()
  const [open, setOpen] = useState(false)
  const revoke = useMutation(revokeApiKey, {
    onSuccess: () => {
      setOpen(false)
      queryClient.setQueryData(
        createConnectQueryKey({ schema: listApiKeys, transport, input: {}, cardinality: "finite" }),
        (old: ListApiKeysResponse | undefined) =>
          old ? { ...old, apiKeys: old.apiKeys.filter((key) => key.id !== apiKey.id) } : old,
      )
      toast.success(`Revoked “${apiKey.name}”`)
    },
    onError: (error) =>
      toast.error(`Could not revoke “${apiKey.name}”`, { description: describeError(error).message }),
  })

  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        className="text-destructive hover:bg-destructive/10 hover:text-destructive"
        aria-label={`Revoke ${apiKey.name}`}
        onClick={() => setOpen(true)}
      >
        Revoke
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Revoke “${apiKey.name}”?`}
        description={
          <p>
            Clients using the key <span className="font-mono">{withEllipsis(apiKey.prefix)}</span> get 401
            from now on. This cannot be undone.
          </p>
        }
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        onConfirm={() => revoke.mutate({ id: apiKey.id })}
      />
    </>
  )
}
