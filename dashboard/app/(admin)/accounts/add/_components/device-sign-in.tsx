"use client"

import { useEffect, useId, useState } from "react"
import { useMutation } from "@connectrpc/connect-query"
import { ExternalLinkIcon, Loader2Icon, MonitorSmartphoneIcon, RotateCcwIcon, XIcon } from "lucide-react"

import { CopyButton } from "@/components/copy-button"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import type { OAuthFlow } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import { startDeviceFlow } from "@/lib/gen/multicodex/control/v1/oauth_service-OAuthService_connectquery"

import type { SignInProps } from "./browser-sign-in"
import { ErrorNote } from "./error-note"
import { FlowStatus } from "./flow-status"
import { isFinished, useOAuthFlow } from "./use-oauth-flow"

/**
 * Device-code sign-in: Control asks for a user code, the operator enters it on ChatGPT's device page (on any
 * device), and Control completes the sign-in by itself; this polls GetOAuthFlow until it is done. Cancel stops it
 * (Control then stops asking the issuer); so does its expiry.
 */
export function DeviceSignIn({ renew, blockedBy, onPendingChange, pollIntervalMs = 2_500 }: SignInProps) {
  const id = useId()
  const [email, setEmail] = useState(renew?.email ?? "")
  const [started, setStarted] = useState<OAuthFlow>()
  const { flow, pollError, cancel } = useOAuthFlow(started, pollIntervalMs)
  const start = useMutation(startDeviceFlow, { onSuccess: ({ flow: next }) => setStarted(next) })
  const finished = isFinished(flow)
  const pending = !!flow && !finished
  useEffect(() => onPendingChange?.(pending), [pending, onPendingChange])

  if (!flow) {
    return (
      <form
        className="grid gap-4"
        onSubmit={(event) => {
          event.preventDefault()
          start.mutate({ email: email.trim(), renewAccountId: renew?.id ?? "" })
        }}
      >
        <div className="grid gap-2 sm:max-w-sm">
          <Label htmlFor={`${id}-email`}>Email</Label>
          <Input
            id={`${id}-email`}
            type="email"
            autoComplete="email"
            placeholder="you@example.com (optional)"
            value={email}
            readOnly={!!renew}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <Button type="submit" className="w-fit" disabled={start.isPending || !!blockedBy}>
          {start.isPending ? <Loader2Icon className="animate-spin" /> : <MonitorSmartphoneIcon />}
          Start device sign-in
        </Button>
        {blockedBy ? <p className="text-xs text-warning">{blockedBy}</p> : null}
        <ErrorNote error={start.error} />
      </form>
    )
  }

  return (
    <div className="grid gap-5">
      {!finished ? (
        <div className="grid gap-4 rounded-lg border bg-muted/40 p-4 sm:p-6">
          <p className="text-sm">
            Open the device page, sign in with {renew ? renew.email || "this account" : "the account to add"},
            and enter this code:
          </p>
          <div className="flex flex-wrap items-center gap-3">
            <output
              className="rounded-md border bg-background px-4 py-2 font-mono text-2xl font-semibold tracking-[0.2em] sm:text-4xl"
              aria-label="User code"
              data-testid="user-code"
            >
              {flow.userCode}
            </output>
            <CopyButton value={flow.userCode} label="Copy the user code" showText />
          </div>
          <div className="flex flex-wrap gap-2">
            <Button asChild variant="outline" className="w-fit max-w-full">
              <a href={flow.verificationUrl} target="_blank" rel="noopener noreferrer">
                <ExternalLinkIcon />
                <span className="truncate">{flow.verificationUrl}</span>
              </a>
            </Button>
            <Button
              variant="ghost"
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ flowId: flow.flowId })}
            >
              {cancel.isPending ? <Loader2Icon className="animate-spin" /> : <XIcon />}
              Cancel sign-in
            </Button>
          </div>
        </div>
      ) : null}
      <div aria-live="polite">
        <FlowStatus flow={flow} pending="Waiting for you to approve the code" pollError={pollError} />
      </div>
      {finished ? (
        <Button
          variant="outline"
          className="w-fit"
          onClick={() => {
            setStarted(undefined)
            start.reset()
          }}
        >
          <RotateCcwIcon />
          Start another device sign-in
        </Button>
      ) : null}
    </div>
  )
}
