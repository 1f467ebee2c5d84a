"use client"

import { QueryError } from "@/components/query-error"

/** A rendering failure inside the API keys page; the shell around it keeps working. */
export default function ApiKeysError({
  error,
  reset,
}: {
  error: Error & { digest?: string }
  reset: () => void
}) {
  return <QueryError error={error} onRetry={reset} />
}
