"use client"

import { createClient } from "@connectrpc/connect"
import { useTransport } from "@connectrpc/connect-query"
import { useQuery } from "@tanstack/react-query"
import { ShieldAlertIcon } from "lucide-react"

import { IGNORE_UNAUTHENTICATED, useAdminToken } from "@/components/admin-token/admin-token-provider"
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert"
import { ADMIN_TOKEN_HEADER } from "@/lib/admin-token"
import { isUnauthenticated } from "@/lib/errors"
import { ApiKeyService } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"

/** The token compose.yaml ships with; a server still using it is as good as open. */
export const DEFAULT_ADMIN_TOKEN = "change-me"

/**
 * Warns when the admin API is weakly protected: the token in use is the example's "change-me", or Control has no
 * ADMIN_TOKEN at all (a call without any token succeeds).
 */
export function SecurityBanner() {
  const { token } = useAdminToken()
  const transport = useTransport()
  const open = useQuery({
    queryKey: ["security", "admin-api-open"],
    queryFn: async () => {
      try {
        // An empty header makes the transport send no token (see lib/transport.ts).
        await createClient(ApiKeyService, transport).listApiKeys(
          {},
          { headers: { [ADMIN_TOKEN_HEADER]: "" } },
        )
        return true
      } catch (error) {
        if (isUnauthenticated(error)) {
          return false
        }
        throw error
      }
    },
    staleTime: Infinity,
    retry: false,
    meta: { [IGNORE_UNAUTHENTICATED]: true },
  })

  if (open.data) {
    return (
      <Alert variant="warning" data-testid="admin-open-banner">
        <ShieldAlertIcon />
        <AlertTitle>The admin API is open</AlertTitle>
        <AlertDescription>
          Control runs without ADMIN_TOKEN, so anyone who can reach this port can add, export and delete
          accounts. Set ADMIN_TOKEN to a long random value and restart, then sign in here with it.
        </AlertDescription>
      </Alert>
    )
  }
  if (token === DEFAULT_ADMIN_TOKEN) {
    return (
      <Alert variant="warning" data-testid="default-token-banner">
        <ShieldAlertIcon />
        <AlertTitle>The admin token is still “change-me”</AlertTitle>
        <AlertDescription>
          That is the example value from compose.yaml: anyone who knows it can manage your accounts. Set
          ADMIN_TOKEN to a long random value and restart.
        </AlertDescription>
      </Alert>
    )
  }
  return null
}
