import { Code, ConnectError } from "@connectrpc/connect"

/** What to tell the user about a failed call: a short title and a sentence. */
export interface ErrorDescription {
  code: Code
  title: string
  message: string
}

const titles: Partial<Record<Code, string>> = {
  [Code.Unauthenticated]: "Admin token not accepted",
  [Code.PermissionDenied]: "Not allowed",
  [Code.InvalidArgument]: "Invalid input",
  [Code.NotFound]: "Not found",
  [Code.AlreadyExists]: "Already exists",
  [Code.FailedPrecondition]: "Not possible right now",
  [Code.ResourceExhausted]: "Too many requests",
  [Code.DeadlineExceeded]: "The request timed out",
  [Code.Unavailable]: "MultiCodex Control is unreachable",
  [Code.Unimplemented]: "Not a MultiCodex front door",
  [Code.Canceled]: "Cancelled",
}

// Used when the server sent no message of its own.
const fallbacks: Partial<Record<Code, string>> = {
  [Code.Unauthenticated]: "This server requires its admin token (ADMIN_TOKEN).",
  [Code.Unavailable]: "The Edge could not reach Control. Check that both are running, then try again.",
  [Code.Unimplemented]:
    "This address does not answer MultiCodex calls. Open the dashboard through the Edge (the front door, port 4010 by default).",
  [Code.DeadlineExceeded]: "The server took too long to answer. Try again.",
}

/** Turns any thrown value from an RPC into user-facing text; the server's own message is kept when it has one. */
export function describeError(error: unknown): ErrorDescription {
  const e = ConnectError.from(error)
  if (e.code === Code.Unknown && isNetworkFailure(e.rawMessage)) {
    return {
      code: e.code,
      title: "Cannot reach the server",
      message:
        "The browser could not connect to MultiCodex. Check your connection and that the Edge is running.",
    }
  }
  const message = e.rawMessage.trim() || fallbacks[e.code] || "An unexpected error occurred. Try again."
  // Proxies answering 404 or 503 give connect a bare HTTP status as the message: prefer our sentence.
  const useFallback = /^HTTP \d{3}/.test(message) && fallbacks[e.code]
  return {
    code: e.code,
    title: titles[e.code] ?? "Something went wrong",
    message: useFallback ? (fallbacks[e.code] as string) : message,
  }
}

/** One line for a toast: "Title: message". */
export function errorText(error: unknown): string {
  const { title, message } = describeError(error)
  return `${title}: ${message}`
}

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unauthenticated
}

/** Errors worth retrying: the server could not be reached or was busy, not errors about the request itself. */
export function isTransient(error: unknown): boolean {
  const code = ConnectError.from(error).code
  return (
    code === Code.Unavailable ||
    code === Code.DeadlineExceeded ||
    code === Code.Unknown ||
    code === Code.Internal
  )
}

function isNetworkFailure(message: string): boolean {
  return /failed to fetch|networkerror|network request failed|load failed/i.test(message)
}
