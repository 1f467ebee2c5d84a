"use client"

import { useState } from "react"
import { TransportProvider } from "@connectrpc/connect-query"
import { QueryClient, QueryClientProvider } from "@tanstack/react-query"

import { AdminTokenProvider } from "@/components/admin-token/admin-token-provider"
import { Toaster } from "@/components/ui/sonner"
import { TooltipProvider } from "@/components/ui/tooltip"
import { readAdminToken } from "@/lib/admin-token"
import { isTransient } from "@/lib/errors"
import { createControlTransport } from "@/lib/transport"

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // Retry only what may pass on a second try; a wrong token or bad input fails at once.
        retry: (failureCount, error) => failureCount < 2 && isTransient(error),
      },
      mutations: { retry: false },
    },
  })
}

/** Everything a client component needs: the Control transport, the query cache, the admin token, toasts. */
export function Providers({ children }: { children: React.ReactNode }) {
  const [queryClient] = useState(makeQueryClient)
  // The Edge serves this page and forwards gRPC-Web to Control, so the origin is the front door. On the server
  // (prerendering) no call is made, and the base URL is never used.
  const [transport] = useState(() =>
    createControlTransport({
      baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin,
      getToken: readAdminToken,
    }),
  )
  return (
    <TransportProvider transport={transport}>
      <QueryClientProvider client={queryClient}>
        <AdminTokenProvider>
          <TooltipProvider>{children}</TooltipProvider>
        </AdminTokenProvider>
        <Toaster position="bottom-right" />
      </QueryClientProvider>
    </TransportProvider>
  )
}
