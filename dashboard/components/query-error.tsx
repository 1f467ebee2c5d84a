"use client"

import { AlertCircleIcon, RotateCwIcon } from "lucide-react"

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert"
import { Button } from "@/components/ui/button"
import { describeError } from "@/lib/errors"

/** A failed load: what went wrong in the user's terms, and a way to try again. */
export function QueryError({
  error,
  onRetry,
  retrying,
}: {
  error: unknown
  onRetry?: () => void
  retrying?: boolean
}) {
  const { title, message } = describeError(error)
  return (
    <Alert variant="destructive">
      <AlertCircleIcon />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        <p>{message}</p>
        {onRetry ? (
          <Button
            variant="outline"
            size="sm"
            className="mt-2 text-foreground"
            onClick={onRetry}
            disabled={retrying}
          >
            <RotateCwIcon className={retrying ? "animate-spin" : undefined} />
            Try again
          </Button>
        ) : null}
      </AlertDescription>
    </Alert>
  )
}
