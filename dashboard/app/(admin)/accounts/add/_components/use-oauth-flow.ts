"use client"

import { useCallback, useEffect, useRef } from "react"
import { create } from "@bufbuild/protobuf"
import { timestampDate } from "@bufbuild/protobuf/wkt"
import {
  createConnectQueryKey,
  skipToken,
  useMutation,
  useQuery,
  useTransport,
} from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { toast } from "sonner"

import { upsertAccount } from "@/lib/accounts-cache"
import { describeError } from "@/lib/errors"
import {
  GetOAuthFlowResponseSchema,
  OAuthFlow_State,
  type OAuthFlow,
} from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import {
  cancelOAuthFlow,
  getOAuthFlow,
} from "@/lib/gen/multicodex/control/v1/oauth_service-OAuthService_connectquery"

// One more poll after the flow's expiry lets Control say "expired"; then polling stops even if it never answers.
const EXPIRY_GRACE_MS = 5_000

/**
 * Follows a sign-in flow with GetOAuthFlow, polling every `intervalMs` while it is pending and not past its expiry.
 * When it completes, the account goes into the cached list and a toast says so (once per flow). `cancel` ends a
 * pending flow on Control (a device flow then stops polling the issuer); `show` puts a flow the server returned
 * on screen at once.
 */
export function useOAuthFlow(started: OAuthFlow | undefined, intervalMs: number) {
  const transport = useTransport()
  const queryClient = useQueryClient()
  const query = useQuery(getOAuthFlow, started ? { flowId: started.flowId } : skipToken, {
    refetchInterval: (q) => {
      const current = q.state.data?.flow ?? started
      if (!current || !isPending(current)) {
        return false
      }
      const expires = current.expireTime ? timestampDate(current.expireTime).getTime() : Infinity
      return Date.now() > expires + EXPIRY_GRACE_MS ? false : intervalMs
    },
    refetchIntervalInBackground: true,
    staleTime: 0,
  })
  const flow = started && query.data?.flow?.flowId === started.flowId ? query.data.flow : started

  const show = useCallback(
    (next: OAuthFlow) =>
      queryClient.setQueryData(
        createConnectQueryKey({
          schema: getOAuthFlow,
          transport,
          input: { flowId: next.flowId },
          cardinality: "finite",
        }),
        create(GetOAuthFlowResponseSchema, { flow: next }),
      ),
    [queryClient, transport],
  )
  const cancel = useMutation(cancelOAuthFlow, {
    onSuccess: ({ flow: next }) => {
      if (next) {
        show(next)
      }
    },
    onError: (error) =>
      toast.error("Could not cancel the sign-in", { description: describeError(error).message }),
  })

  const announced = useRef<string | null>(null)
  useEffect(() => {
    if (flow?.state === OAuthFlow_State.COMPLETED && flow.account && announced.current !== flow.flowId) {
      announced.current = flow.flowId
      upsertAccount(queryClient, transport, flow.account)
      const who = flow.account.email || "the account"
      toast.success(flow.renewAccountId ? `Signed in again as ${who}` : `Added ${who}`)
    }
  }, [flow, queryClient, transport])

  return { flow, pollError: query.error, show, cancel }
}

function isPending(flow: OAuthFlow): boolean {
  return flow.state === OAuthFlow_State.PENDING || flow.state === OAuthFlow_State.UNSPECIFIED
}

/** A flow that can change no more. */
export function isFinished(flow: OAuthFlow | undefined): boolean {
  return !!flow && !isPending(flow)
}
