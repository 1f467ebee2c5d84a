"use client"

import { QueryError } from "@/components/query-error"

/** A rendering failure inside the Requests page; the shell around it keeps working. */
export default function RequestsError({
  error,
  reset,
}: {
  error: Error & { digest?: string }
  reset: () => void
}) {
  return <QueryError error={error} onRetry={reset} />
}
