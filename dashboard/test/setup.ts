import { afterEach } from "vitest"

// Testing Library unmounts after each test only when the runner has globals; vitest here does not.
afterEach(async () => {
  if (typeof document !== "undefined") {
    const { cleanup } = await import("@testing-library/react")
    cleanup()
    localStorage.clear()
  }
})
