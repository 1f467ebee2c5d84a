"use client"

import { useCallback, useEffect, useRef, useState } from "react"
import { createClient } from "@connectrpc/connect"
import { useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"

import { allAccountListsKey, setAccounts } from "@/lib/accounts-cache"
import { AccountService } from "@/lib/gen/multicodex/control/v1/account_service_pb"
import { runLiveStream, type LiveState, type LiveStreamTiming } from "@/lib/live-stream"

export type { LiveStatus as WatchStatus } from "@/lib/live-stream"

/** Timing of the watch; tests shorten it. Read once when the watch starts: changing it later changes nothing. */
export type WatchOptions = LiveStreamTiming

export interface AccountsWatch extends LiveState {
  /** Tries to reconnect now instead of waiting for the backoff. */
  retryNow: () => void
}

/**
 * Keeps the cached account list live with WatchAccounts (a server stream that sends the whole list now and after
 * every change); see lib/live-stream.ts for when it reconnects. A refused token refetches the list instead, whose
 * UNAUTHENTICATED brings up the sign-in screen.
 *
 * The effect depends on the transport and the query client only. Options are read through a ref: a dependency
 * that is a fresh function on each render (a default parameter, an inline object) would close and reopen the
 * stream on every render, and each message renders again, which is how this page once reopened its stream
 * dozens of times a second.
 */
export function useAccountsWatch(options?: WatchOptions): AccountsWatch {
  const transport = useTransport()
  const queryClient = useQueryClient()
  const [state, setState] = useState<LiveState>({ status: "connecting" })
  const timing = useRef(options)
  const retry = useRef<() => void>(() => {})

  useEffect(() => {
    const abort = new AbortController()
    const client = createClient(AccountService, transport)
    const { retryNow } = runLiveStream({
      ...timing.current,
      open: (signal) => client.watchAccounts({}, { signal }),
      onMessage: (message) => setAccounts(queryClient, transport, message.accounts),
      onState: (next) =>
        setState((current) =>
          current.status === next.status && current.retryAt === next.retryAt ? current : next,
        ),
      onUnauthenticated: () => void queryClient.invalidateQueries({ queryKey: allAccountListsKey }),
      signal: abort.signal,
      isOffline: () => typeof navigator !== "undefined" && navigator.onLine === false,
    })
    retry.current = retryNow
    // Back online, or back to a tab that was in the background: no reason to sit out the backoff.
    const onVisible = () => document.visibilityState === "visible" && retryNow()
    window.addEventListener("online", retryNow)
    document.addEventListener("visibilitychange", onVisible)
    return () => {
      abort.abort()
      window.removeEventListener("online", retryNow)
      document.removeEventListener("visibilitychange", onVisible)
    }
  }, [transport, queryClient])

  const retryNow = useCallback(() => retry.current(), [])
  return { ...state, retryNow }
}
