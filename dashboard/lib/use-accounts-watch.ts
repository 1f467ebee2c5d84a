"use client"

import { useEffect, useState } from "react"
import { createClient } from "@connectrpc/connect"
import { useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"

import { allAccountListsKey, setAccounts } from "@/lib/accounts-cache"
import { reconnectDelay, sleep } from "@/lib/backoff"
import { isUnauthenticated } from "@/lib/errors"
import { AccountService } from "@/lib/gen/multicodex/control/v1/account_service_pb"

/** connecting: no message yet; live: the stream is open; reconnecting: it ended or failed, a retry is due. */
export type WatchStatus = "connecting" | "live" | "reconnecting"

export interface WatchOptions {
  /** Backoff before each reconnect; tests shorten it. */
  delay?: (attempt: number) => number
  /** A stream that was live this long and then ended is reopened at once, without "reconnecting". */
  quietAfterMs?: number
}

// The Edge (YARP) ends a response that sent nothing for 100 s: an idle watch ends that way in a quiet pool.
const QUIET_AFTER_MS = 5_000

/**
 * Keeps the cached account list live with WatchAccounts (a server stream that sends the whole list now and after
 * every change). When the stream ends or fails (Control restarted, a proxy timed it out), it reconnects with
 * backoff; a refused token instead refetches the list, whose UNAUTHENTICATED brings up the sign-in screen.
 */
export function useAccountsWatch({
  delay = reconnectDelay,
  quietAfterMs = QUIET_AFTER_MS,
}: WatchOptions = {}): WatchStatus {
  const transport = useTransport()
  const queryClient = useQueryClient()
  const [status, setStatus] = useState<WatchStatus>("connecting")

  useEffect(() => {
    const abort = new AbortController()
    const client = createClient(AccountService, transport)
    async function run() {
      let attempt = 0
      while (!abort.signal.aborted) {
        const opened = Date.now()
        let received = false
        try {
          for await (const message of client.watchAccounts({}, { signal: abort.signal })) {
            received = true
            setAccounts(queryClient, transport, message.accounts)
            setStatus("live")
            attempt = 0
          }
        } catch (error) {
          if (abort.signal.aborted) {
            return
          }
          if (isUnauthenticated(error)) {
            void queryClient.invalidateQueries({ queryKey: allAccountListsKey })
            return
          }
        }
        if (abort.signal.aborted) {
          return
        }
        if (received && Date.now() - opened >= quietAfterMs) {
          // A long-lived stream ended (a proxy's idle timeout, a server drain): reopen it straight away; only a
          // failure to reopen is worth showing.
          continue
        }
        setStatus("reconnecting")
        await sleep(delay(attempt++), abort.signal)
      }
    }
    void run()
    return () => abort.abort()
  }, [transport, queryClient, delay, quietAfterMs])

  return status
}
