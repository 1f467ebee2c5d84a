"use client"

import { useCallback, useSyncExternalStore } from "react"

// `storage` events reach other tabs only; this one tells this tab's other readers.
const CHANGE_EVENT = "multicodex:stored-choice-change"
// Where a choice lives when the browser refuses localStorage (disabled in its settings): this page only.
const memory = new Map<string, string>()

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key)
  } catch {
    return memory.get(key) ?? null
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("storage", onChange)
  window.addEventListener(CHANGE_EVENT, onChange)
  return () => {
    window.removeEventListener("storage", onChange)
    window.removeEventListener(CHANGE_EVENT, onChange)
  }
}

/**
 * One of `choices`, remembered in this browser (localStorage `key`), for view preferences such as cards or table.
 * The server render and the first client render use `fallback`, so hydration matches.
 */
export function useStoredChoice<T extends string>(
  key: string,
  choices: readonly T[],
  fallback: T,
): [T, (next: T) => void] {
  const stored = useSyncExternalStore(
    subscribe,
    () => read(key),
    () => null,
  )
  const value = stored !== null && (choices as readonly string[]).includes(stored) ? (stored as T) : fallback
  const set = useCallback(
    (next: T) => {
      try {
        window.localStorage.setItem(key, next)
      } catch {
        memory.set(key, next)
      }
      window.dispatchEvent(new Event(CHANGE_EVENT))
    },
    [key],
  )
  return [value, set]
}
