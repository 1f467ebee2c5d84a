"use client"

import { useId, useState } from "react"
import { createClient } from "@connectrpc/connect"
import { useTransport } from "@connectrpc/connect-query"
import { useMutation } from "@tanstack/react-query"
import { AlertCircleIcon, Loader2Icon } from "lucide-react"

import { IGNORE_UNAUTHENTICATED, useAdminToken } from "@/components/admin-token/admin-token-provider"
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { ADMIN_TOKEN_HEADER } from "@/lib/admin-token"
import { describeError } from "@/lib/errors"
import { AccountService } from "@/lib/gen/multicodex/control/v1/account_service_pb"
import { cn } from "@/lib/utils"

interface AdminTokenFormProps {
  submitLabel?: string
  onSignedIn?: () => void
  className?: string
}

/**
 * Asks for the admin token and checks it with a real call (ListAccounts, which every token-protected
 * server answers) before storing it, so a typo is caught here with the server's own words.
 */
export function AdminTokenForm({ submitLabel = "Sign in", onSignedIn, className }: AdminTokenFormProps) {
  const id = useId()
  const transport = useTransport()
  const { signIn } = useAdminToken()
  const [value, setValue] = useState("")

  const check = useMutation({
    meta: { [IGNORE_UNAUTHENTICATED]: true },
    mutationFn: (candidate: string) =>
      createClient(AccountService, transport).listAccounts(
        {},
        { headers: { [ADMIN_TOKEN_HEADER]: candidate }, timeoutMs: 15_000 },
      ),
    onSuccess: (_, candidate) => {
      signIn(candidate)
      onSignedIn?.()
    },
  })

  const error = check.error ? describeError(check.error) : null
  const token = value.trim()

  return (
    <form
      className={cn("grid gap-4", className)}
      onSubmit={(event) => {
        event.preventDefault()
        if (token) {
          check.mutate(token)
        }
      }}
    >
      <div className="grid gap-2">
        <Label htmlFor={`${id}-token`}>Admin token</Label>
        <Input
          id={`${id}-token`}
          name="admin-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          placeholder="The server's ADMIN_TOKEN"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => {
            setValue(event.target.value)
            check.reset()
          }}
        />
      </div>
      {error ? (
        <Alert variant="destructive" id={`${id}-error`}>
          <AlertCircleIcon />
          <AlertTitle>{error.title}</AlertTitle>
          <AlertDescription>{error.message}</AlertDescription>
        </Alert>
      ) : null}
      <Button type="submit" disabled={!token || check.isPending}>
        {check.isPending ? <Loader2Icon className="animate-spin" /> : null}
        {check.isPending ? "Checking…" : submitLabel}
      </Button>
    </form>
  )
}
