// @vitest-environment happy-dom
import { Code, ConnectError } from "@connectrpc/connect"
import { screen, within } from "@testing-library/react"
import { describe, expect, it } from "vitest"

import { Account_State } from "@/lib/gen/multicodex/control/v1/account_pb"
import { createFakeControl } from "@/test/fake-control"
import { makeAccount } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { AccountsView } from "./accounts-view"

describe("AccountsView", () => {
  it("shows the empty state when Control has no accounts", async () => {
    renderWithControl(<AccountsView />, createFakeControl())

    expect(await screen.findByText("No accounts yet")).toBeTruthy()
    expect(screen.queryByTestId("pool-summary")).toBeNull()
  })

  it("shows a card per account with a summary", async () => {
    const accounts = [
      makeAccount(),
      makeAccount({
        id: "acc_2",
        email: "grace@example.com",
        label: "grace@example.com",
        planType: "pro",
        state: Account_State.DISABLED,
        enabled: false,
      }),
    ]
    renderWithControl(<AccountsView />, createFakeControl({ accounts }))

    expect(await screen.findAllByTestId("account-card")).toHaveLength(2)
    expect(within(screen.getByTestId("pool-summary")).getByText("1 of 2")).toBeTruthy()
    expect(screen.getAllByTestId("account-plan").map((badge) => badge.textContent)).toEqual(["Plus", "Pro"])
  })

  it("explains a failure in the user's terms, with a retry", async () => {
    renderWithControl(
      <AccountsView />,
      createFakeControl({ failWith: new ConnectError("HTTP 502", Code.Unavailable) }),
    )

    expect(await screen.findByText("MultiCodex Control is unreachable")).toBeTruthy()
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy()
  })
})
