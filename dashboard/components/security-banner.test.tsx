// @vitest-environment happy-dom
import { screen, waitFor } from "@testing-library/react"
import { describe, expect, it } from "vitest"

import { SecurityBanner } from "@/components/security-banner"
import { writeAdminToken } from "@/lib/admin-token"
import { FakeControl } from "@/test/fake-control"
import { renderWithControl } from "@/test/render"

describe("SecurityBanner", () => {
  it("warns that the admin API is open when a call without any token succeeds", async () => {
    writeAdminToken("anything")
    renderWithControl(<SecurityBanner />, new FakeControl().transport)

    expect(await screen.findByText("The admin API is open.")).toBeTruthy()
    expect(screen.getByText(/Control runs without ADMIN_TOKEN/)).toBeTruthy()
  })

  it("warns when the token in use is the example's change-me", async () => {
    writeAdminToken("change-me")
    const fake = new FakeControl({ adminToken: "change-me" })
    renderWithControl(<SecurityBanner />, fake.transport)

    expect(await screen.findByText("The admin token is still “change-me”.")).toBeTruthy()
    expect(screen.queryByText("The admin API is open.")).toBeNull()
  })

  it("stays away with a real token, and its probe never brings up the sign-in screen", async () => {
    writeAdminToken("a-long-random-token")
    const fake = new FakeControl({ adminToken: "a-long-random-token" })
    const { queryClient } = renderWithControl(<SecurityBanner />, fake.transport)

    // The token-less probe was refused: the API is not open.
    await waitFor(() => expect(queryClient.getQueryData(["security", "admin-api-open"])).toBe(false))
    expect(screen.queryByRole("note")).toBeNull()
  })
})
