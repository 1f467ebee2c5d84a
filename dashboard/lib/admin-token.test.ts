// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest"

import {
  ADMIN_TOKEN_STORAGE_KEY,
  clearAdminToken,
  readAdminToken,
  subscribeAdminToken,
  writeAdminToken,
} from "@/lib/admin-token"

describe("admin token storage", () => {
  it("reads null when nothing is stored", () => {
    expect(readAdminToken()).toBeNull()
  })

  it("stores the token trimmed in localStorage", () => {
    writeAdminToken("  s3cret \n")
    expect(localStorage.getItem(ADMIN_TOKEN_STORAGE_KEY)).toBe("s3cret")
    expect(readAdminToken()).toBe("s3cret")
  })

  it("removes the token on clear or when given an empty one", () => {
    writeAdminToken("s3cret")
    clearAdminToken()
    expect(readAdminToken()).toBeNull()
    writeAdminToken("s3cret")
    writeAdminToken("   ")
    expect(readAdminToken()).toBeNull()
  })

  it("tells subscribers in this tab, until they unsubscribe", () => {
    const onChange = vi.fn()
    const unsubscribe = subscribeAdminToken(onChange)
    writeAdminToken("one")
    expect(onChange).toHaveBeenCalledTimes(1)
    unsubscribe()
    writeAdminToken("two")
    expect(onChange).toHaveBeenCalledTimes(1)
  })

  it("tells subscribers about changes made in another tab", () => {
    const onChange = vi.fn()
    const unsubscribe = subscribeAdminToken(onChange)
    window.dispatchEvent(new StorageEvent("storage", { key: ADMIN_TOKEN_STORAGE_KEY }))
    window.dispatchEvent(new StorageEvent("storage", { key: "something-else" }))
    expect(onChange).toHaveBeenCalledTimes(1)
    unsubscribe()
  })
})
