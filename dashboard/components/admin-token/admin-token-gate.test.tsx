// @vitest-environment happy-dom
import { screen } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import { AccountsView } from "@/app/(admin)/accounts/_components/accounts-view"
import { AdminTokenGate } from "@/components/admin-token/admin-token-gate"
import { readAdminToken, writeAdminToken } from "@/lib/admin-token"
import { createFakeControl } from "@/test/fake-control"
import { renderWithControl } from "@/test/render"

const control = () => createFakeControl({ adminToken: "right-token" })

function renderDashboard() {
  return renderWithControl(
    <AdminTokenGate>
      <AccountsView />
    </AdminTokenGate>,
    control(),
  )
}

describe("AdminTokenGate", () => {
  it("asks for the token when the server requires one and none is stored", async () => {
    renderDashboard()

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy()
    expect(screen.getByLabelText("Admin token")).toBeTruthy()
    // A first visit is not an error: no alert until a token is refused.
    expect(screen.queryByRole("alert")).toBeNull()
  })

  it("says so when the saved token is refused", async () => {
    writeAdminToken("stale-token")
    renderDashboard()

    expect(await screen.findByText("Saved token not accepted")).toBeTruthy()
    expect(screen.getByText("Wrong x-admin-token: it does not match the server's ADMIN_TOKEN.")).toBeTruthy()
  })

  it("rejects a wrong token with the server's message and keeps it out of storage", async () => {
    const user = userEvent.setup()
    renderDashboard()

    await user.type(await screen.findByLabelText("Admin token"), "wrong-token")
    await user.click(screen.getByRole("button", { name: "Sign in" }))

    expect(await screen.findByText("Admin token not accepted")).toBeTruthy()
    expect(screen.getByText("Wrong x-admin-token: it does not match the server's ADMIN_TOKEN.")).toBeTruthy()
    expect(readAdminToken()).toBeNull()
  })

  it("stores a right token and shows the dashboard", async () => {
    const user = userEvent.setup()
    renderDashboard()

    await user.type(await screen.findByLabelText("Admin token"), "right-token")
    await user.click(screen.getByRole("button", { name: "Sign in" }))

    expect(await screen.findByText("No accounts yet")).toBeTruthy()
    expect(readAdminToken()).toBe("right-token")
  })

  it("shows the dashboard straight away with a stored right token", async () => {
    writeAdminToken("right-token")
    renderDashboard()

    expect(await screen.findByText("No accounts yet")).toBeTruthy()
    expect(screen.queryByRole("heading", { name: "Sign in" })).toBeNull()
  })
})
