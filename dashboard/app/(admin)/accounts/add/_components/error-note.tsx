import { AlertCircleIcon } from "lucide-react"

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert"
import { describeError } from "@/lib/errors"

/** A failed call under the form that made it, in the server's words. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) {
    return null
  }
  const { title, message } = describeError(error)
  return (
    <Alert variant="destructive">
      <AlertCircleIcon />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>{message}</AlertDescription>
    </Alert>
  )
}
