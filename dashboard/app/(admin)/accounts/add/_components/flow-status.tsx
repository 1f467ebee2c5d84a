"use client"

import Link from "next/link"
import {
  AlertCircleIcon,
  BanIcon,
  CheckCircle2Icon,
  ClockIcon,
  Loader2Icon,
  UserRoundXIcon,
} from "lucide-react"

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert"
import { Button } from "@/components/ui/button"
import { toDate } from "@/lib/accounts"
import { describeError } from "@/lib/errors"
import { formatCountdown } from "@/lib/format"
import { OAuthFlow_State, type OAuthFlow } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import { useNow } from "@/lib/use-now"

import { AccountCard } from "../../_components/account-card"

/**
 * Where a sign-in stands (GetOAuthFlow): waiting, completed with the account (and a warning when it is not the
 * email that was typed), failed, cancelled, or expired (also when the expiry passed and Control has not said so).
 */
export function FlowStatus({
  flow,
  pending,
  pollError,
}: {
  flow: OAuthFlow
  pending: string
  pollError?: unknown
}) {
  const now = useNow(10_000)
  const expires = toDate(flow.expireTime)
  const state =
    flow.state === OAuthFlow_State.PENDING && expires && expires.getTime() <= now.getTime()
      ? OAuthFlow_State.EXPIRED
      : flow.state
  switch (state) {
    case OAuthFlow_State.COMPLETED:
      return <Completed flow={flow} now={now} />
    case OAuthFlow_State.FAILED:
      return (
        <Alert variant="destructive" data-testid="flow-status" data-state="failed">
          <AlertCircleIcon />
          <AlertTitle>Sign-in failed</AlertTitle>
          <AlertDescription>
            {flow.error || "The sign-in did not complete."} Start again to retry.
          </AlertDescription>
        </Alert>
      )
    case OAuthFlow_State.CANCELLED:
      return (
        <Alert data-testid="flow-status" data-state="cancelled">
          <BanIcon />
          <AlertTitle>Sign-in cancelled</AlertTitle>
          <AlertDescription>It can no longer complete. Start again when you are ready.</AlertDescription>
        </Alert>
      )
    case OAuthFlow_State.EXPIRED:
      return (
        <Alert variant="warning" data-testid="flow-status" data-state="expired">
          <ClockIcon />
          <AlertTitle>Sign-in expired</AlertTitle>
          <AlertDescription>
            This sign-in took too long and can no longer complete. Start again.
          </AlertDescription>
        </Alert>
      )
    default:
      return (
        <div className="grid gap-1" role="status" data-testid="flow-status" data-state="pending">
          <p className="flex items-center gap-2 text-sm text-muted-foreground">
            <Loader2Icon className="size-4 animate-spin" aria-hidden="true" />
            {pending}
            {expires ? ` · expires in ${formatCountdown(expires.getTime() - now.getTime())}` : ""}
          </p>
          {pollError ? (
            <p className="text-xs text-warning">
              Could not check the status: {describeError(pollError).message}
            </p>
          ) : null}
        </div>
      )
  }
}

function Completed({ flow, now }: { flow: OAuthFlow; now: Date }) {
  const email = flow.account?.email ?? ""
  const expected = flow.email.trim()
  const mismatch = !!expected && !!email && expected.toLowerCase() !== email.toLowerCase()
  return (
    <div className="grid gap-3" role="status" data-testid="flow-status" data-state="completed">
      <p className="flex items-center gap-2 text-sm font-medium text-success">
        <CheckCircle2Icon className="size-4" />
        {flow.renewAccountId
          ? `Signed in again${email ? ` as ${email}` : ""}: the account is renewed, its settings kept.`
          : `Signed in${email ? ` as ${email}` : ""}: the account is in the pool.`}
      </p>
      {mismatch ? (
        <Alert variant="warning" data-testid="email-mismatch">
          <UserRoundXIcon />
          <AlertTitle>Not the email you typed</AlertTitle>
          <AlertDescription>
            You started this sign-in for {expected}, but ChatGPT signed in {email}. The account in the pool is{" "}
            {email}; if that is not the one you meant, delete it and sign in again with {expected}.
          </AlertDescription>
        </Alert>
      ) : null}
      {flow.account ? (
        <div className="max-w-md">
          <AccountCard account={flow.account} now={now} actions={false} />
        </div>
      ) : null}
      <Button asChild variant="outline" className="w-fit">
        <Link href="/accounts">Go to Accounts</Link>
      </Button>
    </div>
  )
}
