"use client"

import { useEffect, useRef } from "react"
import { skipToken, useQuery, useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { toast } from "sonner"

import { upsertAccount } from "@/lib/accounts-cache"
import { OAuthFlow_State, type OAuthFlow } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import { getOAuthFlow } from "@/lib/gen/multicodex/control/v1/oauth_service-OAuthService_connectquery"

/**
 * Follows a sign-in flow with GetOAuthFlow, polling every `intervalMs` while it is pending. When it completes,
 * the new account goes into the cached list and a toast says so (once per flow).
 */
export function useOAuthFlow(started: OAuthFlow | undefined, intervalMs: number) {
  const transport = useTransport()
  const queryClient = useQueryClient()
  const query = useQuery(getOAuthFlow, started ? { flowId: started.flowId } : skipToken, {
    refetchInterval: (q) =>
      (q.state.data?.flow?.state ?? OAuthFlow_State.PENDING) === OAuthFlow_State.PENDING ? intervalMs : false,
    refetchIntervalInBackground: true,
    staleTime: 0,
  })
  const flow = started && query.data?.flow?.flowId === started.flowId ? query.data.flow : started

  const announced = useRef<string | null>(null)
  useEffect(() => {
    if (flow?.state === OAuthFlow_State.COMPLETED && flow.account && announced.current !== flow.flowId) {
      announced.current = flow.flowId
      upsertAccount(queryClient, transport, flow.account)
      toast.success(`Added ${flow.account.email || "the account"}`)
    }
  }, [flow, queryClient, transport])

  return { flow, pollError: query.error }
}

/** A flow that can change no more. */
export function isFinished(flow: OAuthFlow | undefined): boolean {
  return !!flow && flow.state !== OAuthFlow_State.PENDING && flow.state !== OAuthFlow_State.UNSPECIFIED
}
