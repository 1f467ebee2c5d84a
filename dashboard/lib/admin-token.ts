/**
 * The admin token (Control's ADMIN_TOKEN), entered once on the sign-in form and kept in this browser's
 * localStorage. Control checks it on every call as `x-admin-token` metadata (see lib/transport.ts).
 */

export const ADMIN_TOKEN_HEADER = "x-admin-token"

export const ADMIN_TOKEN_STORAGE_KEY = "multicodex.admin-token"

// `storage` events only reach other tabs; this one tells subscribers in the same tab.
const CHANGE_EVENT = "multicodex:admin-token-change"

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage
  } catch {
    // Access can throw (storage disabled by the browser's settings): behave as if nothing is stored.
    return null
  }
}

/** The stored token, or null when none is stored (or on the server). */
export function readAdminToken(): string | null {
  return storage()?.getItem(ADMIN_TOKEN_STORAGE_KEY) || null
}

/** Stores a token (trimmed); an empty one removes it. */
export function writeAdminToken(token: string): void {
  const value = token.trim()
  const store = storage()
  if (!store) {
    return
  }
  if (value) {
    store.setItem(ADMIN_TOKEN_STORAGE_KEY, value)
  } else {
    store.removeItem(ADMIN_TOKEN_STORAGE_KEY)
  }
  window.dispatchEvent(new Event(CHANGE_EVENT))
}

export function clearAdminToken(): void {
  writeAdminToken("")
}

/** Calls `onChange` whenever the stored token changes, in this tab or another; returns the unsubscribe. */
export function subscribeAdminToken(onChange: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key === ADMIN_TOKEN_STORAGE_KEY) {
      onChange()
    }
  }
  window.addEventListener("storage", onStorage)
  window.addEventListener(CHANGE_EVENT, onChange)
  return () => {
    window.removeEventListener("storage", onStorage)
    window.removeEventListener(CHANGE_EVENT, onChange)
  }
}
