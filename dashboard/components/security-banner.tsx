"use client"

import { createClient } from "@connectrpc/connect"
import { useTransport } from "@connectrpc/connect-query"
import { useQuery } from "@tanstack/react-query"
import { ShieldAlertIcon } from "lucide-react"

import { IGNORE_UNAUTHENTICATED, useAdminToken } from "@/components/admin-token/admin-token-provider"
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
    // A note, not an alarm: the admin API answers only this origin's pages and callers that can reach the port.
    return (
      <Notice testId="admin-open-banner" title="The admin API is open">
        Control runs without ADMIN_TOKEN: anyone who can reach this port can manage the accounts. Set
        ADMIN_TOKEN to a long random value to require it.
      </Notice>
    )
  }
  if (token === DEFAULT_ADMIN_TOKEN) {
    return (
      <Notice testId="default-token-banner" title="The admin token is still “change-me”">
        That is compose.yaml&apos;s example value, known to anyone who read it. Set ADMIN_TOKEN to a long
        random value and restart.
      </Notice>
    )
  }
  return null
}

/** One calm line under the header: what is weak and the one thing that fixes it. */
function Notice({ testId, title, children }: { testId: string; title: string; children: React.ReactNode }) {
  return (
    <p
      role="note"
      data-testid={testId}
      className="flex items-start gap-2 rounded-md border border-warning/25 bg-warning/5 px-3 py-1.5 text-xs text-muted-foreground"
    >
      <ShieldAlertIcon className="mt-px size-3.5 shrink-0 text-warning" aria-hidden="true" />
      <span>
        <span className="font-medium text-foreground">{title}.</span> {children}
      </span>
    </p>
  )
}
