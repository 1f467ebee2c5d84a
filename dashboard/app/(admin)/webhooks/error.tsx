"use client"

import { QueryError } from "@/components/query-error"

/** A rendering failure inside the webhooks pages; the shell around it keeps working. */
export default function WebhooksError({
  error,
  reset,
}: {
  error: Error & { digest?: string }
  reset: () => void
}) {
  return <QueryError error={error} onRetry={reset} />
}
