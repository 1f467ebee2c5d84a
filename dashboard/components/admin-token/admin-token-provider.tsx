"use client"

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from "react"
import { useQueryClient } from "@tanstack/react-query"

import { clearAdminToken, readAdminToken, subscribeAdminToken, writeAdminToken } from "@/lib/admin-token"
import { isUnauthenticated } from "@/lib/errors"

/** Why the sign-in screen shows: the server refused the stored token (its message), or there is none (null). */
export interface AdminTokenRejection {
  message: string | null
}

interface AdminTokenContextValue {
  /** The stored token; null when none is stored, and during server rendering. */
  token: string | null
  /** Set when Control answered UNAUTHENTICATED: the dashboard then asks for the token. */
  rejection: AdminTokenRejection | null
  /** Stores a token that was checked against the server, and refetches everything with it. */
  signIn: (token: string) => void
  /** Forgets the token and shows the sign-in screen. */
  signOut: () => void
}

const AdminTokenContext = createContext<AdminTokenContextValue | null>(null)

/** Set `meta: { [IGNORE_UNAUTHENTICATED]: true }` on a query or mutation whose auth errors it handles itself. */
export const IGNORE_UNAUTHENTICATED = "ignoreUnauthenticated"

export function AdminTokenProvider({ children }: { children: React.ReactNode }) {
  const queryClient = useQueryClient()
  const token = useSyncExternalStore(subscribeAdminToken, readAdminToken, () => null)
  const [rejection, setRejection] = useState<AdminTokenRejection | null>(null)

  // Any call refused with UNAUTHENTICATED (missing or wrong token) brings up the sign-in screen.
  useEffect(() => {
    const onError = (error: unknown, meta: Record<string, unknown> | undefined) => {
      if (isUnauthenticated(error) && !meta?.[IGNORE_UNAUTHENTICATED]) {
        const stored = readAdminToken()
        setRejection({ message: stored && error instanceof Error ? rawMessage(error) : null })
      }
    }
    const unsubscribeQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") {
        onError(event.action.error, event.query.meta)
      }
    })
    const unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") {
        onError(event.action.error, event.mutation.meta)
      }
    })
    return () => {
      unsubscribeQueries()
      unsubscribeMutations()
    }
  }, [queryClient])

  const signIn = useCallback(
    (value: string) => {
      writeAdminToken(value)
      setRejection(null)
      void queryClient.resetQueries()
    },
    [queryClient],
  )

  const signOut = useCallback(() => {
    clearAdminToken()
    queryClient.clear()
    setRejection({ message: null })
  }, [queryClient])

  const value = useMemo(() => ({ token, rejection, signIn, signOut }), [token, rejection, signIn, signOut])
  return <AdminTokenContext.Provider value={value}>{children}</AdminTokenContext.Provider>
}

export function useAdminToken(): AdminTokenContextValue {
  const context = useContext(AdminTokenContext)
  if (!context) {
    throw new Error("useAdminToken must be used within an AdminTokenProvider.")
  }
  return context
}

function rawMessage(error: Error): string {
  return "rawMessage" in error && typeof error.rawMessage === "string" ? error.rawMessage : error.message
}
