"use client"

import { createConnectQueryKey } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"

import { WebhookService } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"

/** Refetches every WebhookService query (the list, one webhook, delivery logs) after a change. */
export function useRefreshWebhooks(): () => Promise<void> {
  const queryClient = useQueryClient()
  return () =>
    queryClient.invalidateQueries({
      queryKey: createConnectQueryKey({ schema: WebhookService, cardinality: undefined }),
    })
}
