import { describe, expect, it } from "vitest"

import { navItemFor } from "@/components/nav"

describe("navItemFor", () => {
  it.each([
    ["/accounts", "Accounts"],
    ["/accounts/add", "Add account"],
    ["/api-keys", "API keys"],
    ["/requests", "Requests"],
    ["/webhooks", "Webhooks"],
    ["/webhooks/whk_1a2b3c", "Webhooks"],
  ])("finds the page for %s", (path, title) => {
    expect(navItemFor(path)?.title).toBe(title)
  })

  it("finds nothing for an unknown path", () => {
    expect(navItemFor("/nope")).toBeUndefined()
  })
})
