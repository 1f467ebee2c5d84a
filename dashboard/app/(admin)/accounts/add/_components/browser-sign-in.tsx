"use client"

import { useId, useState } from "react"
import { create } from "@bufbuild/protobuf"
import { createConnectQueryKey, useMutation, useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { ExternalLinkIcon, Loader2Icon, LogInIcon } from "lucide-react"

import { CopyButton } from "@/components/copy-button"
import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { upsertAccount } from "@/lib/accounts-cache"
import { GetOAuthFlowResponseSchema, type OAuthFlow } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import {
  completeOAuthFlow,
  getOAuthFlow,
  startOAuthFlow,
} from "@/lib/gen/multicodex/control/v1/oauth_service-OAuthService_connectquery"

import { ErrorNote } from "./error-note"
import { FlowStatus } from "./flow-status"
import { Step } from "./step"
import { isFinished, useOAuthFlow } from "./use-oauth-flow"

/**
 * The seed's browser sign-in: Start OAuth opens ChatGPT's sign-in in a new tab (and shows the URL to copy); the
 * browser then lands on http://localhost:1455/auth/callback?code=…, which does not load here; the operator pastes
 * that address, and Control exchanges the code for the account's tokens.
 */
export function BrowserSignIn({ pollIntervalMs = 3_000 }: { pollIntervalMs?: number }) {
  const id = useId()
  const transport = useTransport()
  const queryClient = useQueryClient()
  const [email, setEmail] = useState("")
  const [redirectUrl, setRedirectUrl] = useState("")
  const [started, setStarted] = useState<OAuthFlow>()
  const { flow, pollError } = useOAuthFlow(started, pollIntervalMs)

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
        const key = createConnectQueryKey({
          schema: getOAuthFlow,
          transport,
          input: { flowId: response.flow.flowId },
          cardinality: "finite",
        })
        queryClient.setQueryData(key, create(GetOAuthFlowResponseSchema, { flow: response.flow }))
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
            start.mutate({ email: email.trim() })
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
              onChange={(event) => setEmail(event.target.value)}
            />
          </div>
          <Button type="submit" disabled={start.isPending}>
            {start.isPending ? <Loader2Icon className="animate-spin" /> : <LogInIcon />}
            Start OAuth
          </Button>
        </form>
        <p className="text-xs text-muted-foreground">
          Optional: pre-fills the sign-in page with this address.
        </p>
        <ErrorNote error={start.error} />
      </Step>

      <Step n={2} title="Sign in to ChatGPT" disabled={!started}>
        {started ? (
          <>
            <p className="text-sm text-muted-foreground">
              The sign-in page opened in a new tab. If it did not, open or copy this address:
            </p>
            <div className="flex gap-2">
              <Input
                readOnly
                value={started.authorizeUrl}
                aria-label="Sign-in URL"
                className="font-mono text-xs"
              />
              <CopyButton value={started.authorizeUrl} label="Copy the sign-in URL" />
              <Button asChild variant="outline" size="icon" aria-label="Open the sign-in page">
                <a href={started.authorizeUrl} target="_blank" rel="noopener noreferrer">
                  <ExternalLinkIcon />
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
            className="w-fit"
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
