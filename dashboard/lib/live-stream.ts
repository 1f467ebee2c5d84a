import { reconnectDelay, sleep as defaultSleep } from "@/lib/backoff"
import { isUnauthenticated } from "@/lib/errors"

/**
 * connecting: the first stream is opening; live: a stream is open and has delivered the list; reconnecting: it
 * failed and a retry is due; offline: it has been failing for a while (or the browser is offline), still retrying.
 */
export type LiveStatus = "connecting" | "live" | "reconnecting" | "offline"

export interface LiveState {
  status: LiveStatus
  /** When the next attempt is due (ms since the epoch), while reconnecting or offline. */
  retryAt?: number
}

export interface LiveStreamTiming {
  /** Backoff before reconnect attempt `attempt` (0-based). */
  delay?: (attempt: number) => number
  /**
   * A stream that delivered its first message and stayed open this long was healthy: when it ends (a proxy's
   * idle cut, a server drain) it is reopened at once, and the backoff starts over. Anything shorter counts as a
   * failure, so a server that keeps ending streams can never make the loop spin.
   */
  healthyAfterMs?: number
  /** After failing this long without a healthy stream in between, the status reads "offline". */
  offlineAfterMs?: number
}

export interface LiveStreamOptions<T> extends LiveStreamTiming {
  /** Opens one stream; it must stop when `signal` aborts. */
  open: (signal: AbortSignal) => AsyncIterable<T>
  onMessage: (message: T) => void
  onState: (state: LiveState) => void
  /** The server refused the admin token: the loop stops (the sign-in screen takes over). */
  onUnauthenticated: () => void
  /** Stops the loop and the open stream. */
  signal: AbortSignal
  /** For tests. */
  now?: () => number
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** True while the browser says it has no network: shown as offline at once. */
  isOffline?: () => boolean
}

const HEALTHY_AFTER_MS = 5_000
const OFFLINE_AFTER_MS = 30_000

/**
 * Keeps one server stream open for as long as `signal` allows, reconnecting with capped exponential backoff and
 * jitter after a real failure (an error, or a stream that ended before it was healthy) and never while a stream is
 * healthy. Returns `retryNow`, which cuts a pending backoff short (the browser came back online, a button).
 */
export function runLiveStream<T>(options: LiveStreamOptions<T>): {
  retryNow: () => void
  done: Promise<void>
} {
  const {
    open,
    onMessage,
    onState,
    onUnauthenticated,
    signal,
    delay = reconnectDelay,
    healthyAfterMs = HEALTHY_AFTER_MS,
    offlineAfterMs = OFFLINE_AFTER_MS,
    now = Date.now,
    sleep = defaultSleep,
    isOffline = () => false,
  } = options
  let wake: AbortController | null = null

  async function loop() {
    let attempt = 0
    let failingSince: number | null = null
    onState({ status: "connecting" })
    while (!signal.aborted) {
      let firstMessageAt: number | null = null
      try {
        for await (const message of open(signal)) {
          firstMessageAt ??= now()
          failingSince = null
          onMessage(message)
          onState({ status: "live" })
        }
      } catch (error) {
        if (signal.aborted) {
          return
        }
        if (isUnauthenticated(error)) {
          onUnauthenticated()
          return
        }
      }
      if (signal.aborted) {
        return
      }
      if (firstMessageAt !== null && now() - firstMessageAt >= healthyAfterMs) {
        // It was healthy and ended: reopen at once; the badge stays live unless the reopen fails.
        attempt = 0
        continue
      }
      failingSince ??= now()
      const wait = delay(attempt++)
      const offline = isOffline() || now() - failingSince >= offlineAfterMs
      onState({ status: offline ? "offline" : "reconnecting", retryAt: now() + wait })
      // The backoff ends early on retryNow() and on stop.
      const backoff = new AbortController()
      const cut = () => backoff.abort()
      wake = backoff
      signal.addEventListener("abort", cut, { once: true })
      await sleep(wait, backoff.signal)
      signal.removeEventListener("abort", cut)
      wake = null
    }
  }

  return { retryNow: () => wake?.abort(), done: loop() }
}
