import type { Transport } from "@connectrpc/connect"
import { TransportProvider } from "@connectrpc/connect-query"
import { QueryClient, QueryClientProvider } from "@tanstack/react-query"
import { render } from "@testing-library/react"

import { AdminTokenProvider } from "@/components/admin-token/admin-token-provider"
import { Toaster } from "@/components/ui/sonner"
import { TooltipProvider } from "@/components/ui/tooltip"

/**
 * Renders with the same providers as app/providers.tsx (toasts included), on the given transport, without
 * retries. The providers are a wrapper, so `rerender(ui)` keeps them (and the cache).
 */
export function renderWithControl(ui: React.ReactElement, transport: Transport) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  })
  function Providers({ children }: { children: React.ReactNode }) {
    return (
      <TransportProvider transport={transport}>
        <QueryClientProvider client={queryClient}>
          <AdminTokenProvider>
            <TooltipProvider>{children}</TooltipProvider>
          </AdminTokenProvider>
          <Toaster />
        </QueryClientProvider>
      </TransportProvider>
    )
  }
  const result = render(ui, { wrapper: Providers })
  return { ...result, queryClient }
}
