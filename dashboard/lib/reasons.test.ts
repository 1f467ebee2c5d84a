import { describe, expect, it } from "vitest"

import { describeReason } from "@/lib/reasons"

describe("describeReason", () => {
  it.each([
    ["usage_limit_reached", "Usage limit reached"],
    ["refresh_token_reused", "Its sign-in was used by another program (the refresh token was already used)"],
    ["REFRESH_TOKEN_EXPIRED", "Its sign-in expired"],
    ["usage_not_included", "Codex is not included in this plan"],
  ])("explains %s", (code, text) => {
    expect(describeReason(code)).toEqual({ code, text })
  })

  it("turns an unknown code into a sentence and keeps the code", () => {
    expect(describeReason("workspace_member_credits_depleted")).toEqual({
      code: "workspace_member_credits_depleted",
      text: "Workspace member credits depleted",
    })
  })

  it("says so when there is no code", () => {
    expect(describeReason(" ").text).toBe("No reason given")
  })
})
