"use client"

import { useEffect, useId, useState } from "react"
import { useMutation, useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { ExternalLinkIcon, Loader2Icon, LogInIcon, XIcon } from "lucide-react"

import { CopyButton } from "@/components/copy-button"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { upsertAccount } from "@/lib/accounts-cache"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import type { OAuthFlow } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import {
  completeOAuthFlow,
  startOAuthFlow,
} from "@/lib/gen/multicodex/control/v1/oauth_service-OAuthService_connectquery"

import { ErrorNote } from "./error-note"
import { FlowStatus } from "./flow-status"
import { Step } from "./step"
import { isFinished, useOAuthFlow } from "./use-oauth-flow"

export interface SignInProps {
  /** Sign this account in again ("Sign in again" on its card): its email is filled in, and Control checks it. */
  renew?: Account
  /** Why Start is not possible now: another sign-in on this page is still pending. */
  blockedBy?: string
  /** Told whenever this panel's own sign-in starts or stops being pending. */
  onPendingChange?: (pending: boolean) => void
  pollIntervalMs?: number
}

/**
 * The seed's browser sign-in: Start OAuth opens ChatGPT's sign-in in a new tab (and shows the URL to copy); the
 * browser then lands on http://localhost:1455/auth/callback?code=…, which does not load here; the operator pastes
 * that address, and Control exchanges the code for the account's tokens. One pending sign-in at a time: Cancel
 * ends it first.
 */
export function BrowserSignIn({ renew, blockedBy, onPendingChange, pollIntervalMs = 3_000 }: SignInProps) {
  const id = useId()
  const transport = useTransport()
  const queryClient = useQueryClient()
  const [email, setEmail] = useState(renew?.email ?? "")
  const [redirectUrl, setRedirectUrl] = useState("")
  const [started, setStarted] = useState<OAuthFlow>()
  const { flow, pollError, show, cancel } = useOAuthFlow(started, pollIntervalMs)
  const pending = !!flow && !isFinished(flow)
  useEffect(() => onPendingChange?.(pending), [pending, onPendingChange])

  const start = useMutation(startOAuthFlow, {
    onSuccess: ({ flow: next }) => {
      if (!next) {
        return
      }
      setStarted(next)
      setRedirectUrl("")
      complete.reset()
      window.open(next.authorizeUrl, "_blank", "noopener,noreferrer")
    },
  })
  const complete = useMutation(completeOAuthFlow, {
    onSuccess: (response) => {
      if (response.flow) {
        show(response.flow)
      }
      if (response.account) {
        upsertAccount(queryClient, transport, response.account)
      }
    },
  })
  const finished = isFinished(flow)

  return (
    <ol className="grid gap-6">
      <Step n={1} title="Start the sign-in">
        <form
          className="flex flex-col gap-2 sm:flex-row sm:items-end"
          onSubmit={(event) => {
            event.preventDefault()
            start.mutate({ email: email.trim(), renewAccountId: renew?.id ?? "" })
          }}
        >
          <div className="grid flex-1 gap-2">
            <Label htmlFor={`${id}-email`}>Email</Label>
            <Input
              id={`${id}-email`}
              type="email"
              autoComplete="email"
              placeholder="you@example.com"
              value={email}
              readOnly={!!renew}
              aria-describedby={`${id}-email-hint`}
              onChange={(event) => setEmail(event.target.value)}
            />
          </div>
          {pending ? (
            <Button
              type="button"
              variant="outline"
              disabled={cancel.isPending}
              onClick={() => flow && cancel.mutate({ flowId: flow.flowId })}
            >
              {cancel.isPending ? <Loader2Icon className="animate-spin" /> : <XIcon />}
              Cancel sign-in
            </Button>
          ) : (
            <Button type="submit" disabled={start.isPending || !!blockedBy}>
              {start.isPending ? <Loader2Icon className="animate-spin" /> : <LogInIcon />}
              Start OAuth
            </Button>
          )}
        </form>
        <p id={`${id}-email-hint`} className="text-xs text-muted-foreground">
          {renew
            ? "Sign in with this account on ChatGPT's page; a different account is refused."
            : "Optional: the account you mean to add. You are warned if ChatGPT signs in a different one."}
        </p>
        {blockedBy && !pending ? <p className="text-xs text-warning">{blockedBy}</p> : null}
        <ErrorNote error={start.error} />
      </Step>

      <Step n={2} title="Sign in to ChatGPT" disabled={!started}>
        {started ? (
          <>
            <p className="text-sm text-muted-foreground">
              The sign-in page opened in a new tab. If it did not, open or copy this address:
            </p>
            <div className="flex flex-wrap gap-2">
              <Input
                readOnly
                value={started.authorizeUrl}
                aria-label="Sign-in URL"
                className="min-w-0 flex-1 basis-64 font-mono text-xs"
              />
              <CopyButton value={started.authorizeUrl} label="Copy the sign-in URL" showText />
              <Button asChild variant="outline" size="sm">
                <a href={started.authorizeUrl} target="_blank" rel="noopener noreferrer">
                  <ExternalLinkIcon />
                  Open the sign-in page
                </a>
              </Button>
            </div>
          </>
        ) : (
          <p className="text-sm text-muted-foreground">After step 1, sign in with the account to add.</p>
        )}
      </Step>

      <Step n={3} title="Paste the redirected URL" disabled={!started}>
        <p className="text-sm text-muted-foreground">
          After signing in, the tab ends on a page at{" "}
          <span className="font-mono text-xs">localhost:1455</span> that does not load. That is expected: copy
          its whole address from the address bar and paste it here.
        </p>
        <form
          className="grid gap-2"
          onSubmit={(event) => {
            event.preventDefault()
            complete.mutate({ flowId: started?.flowId ?? "", redirectUrl: redirectUrl.trim() })
          }}
        >
          <Label htmlFor={`${id}-redirect`}>Redirected URL</Label>
          <Input
            id={`${id}-redirect`}
            placeholder="http://localhost:1455/auth/callback?code=…&state=…"
            className="font-mono text-xs"
            value={redirectUrl}
            disabled={!started || finished}
            aria-invalid={complete.error ? true : undefined}
            onChange={(event) => setRedirectUrl(event.target.value)}
          />
          <Button
            type="submit"
            className="w-fit max-w-full whitespace-normal"
            disabled={!started || finished || !redirectUrl.trim() || complete.isPending}
          >
            {complete.isPending ? <Loader2Icon className="animate-spin" /> : null}
            Complete OAuth from pasted URL
          </Button>
          <ErrorNote error={complete.error} />
        </form>
      </Step>

      {flow ? (
        <li className="list-none" aria-live="polite">
          <FlowStatus flow={flow} pending="Waiting for the redirected URL" pollError={pollError} />
        </li>
      ) : null}
    </ol>
  )
}
