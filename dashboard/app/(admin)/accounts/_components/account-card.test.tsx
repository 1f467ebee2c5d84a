// @vitest-environment happy-dom
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { render, screen } from "@testing-library/react"
import { describe, expect, it } from "vitest"

import { TooltipProvider } from "@/components/ui/tooltip"
import { Account_State } from "@/lib/gen/multicodex/control/v1/account_pb"
import { NOW, makeAccount, makeUsage } from "@/test/fixtures"

import { AccountCard } from "./account-card"

// As in the app, where the root providers hold the tooltip provider that reason codes use.
const show = (ui: React.ReactElement) => render(<TooltipProvider>{ui}</TooltipProvider>)

describe("AccountCard", () => {
  it("shows label, email, plan, priority and state", () => {
    show(<AccountCard account={makeAccount({ label: "Work", priority: 2 })} now={NOW} actions={false} />)

    expect(screen.getByText("Work")).toBeTruthy()
    expect(screen.getByText("ada@example.com")).toBeTruthy()
    expect(screen.getByTestId("account-plan").textContent).toBe("Plus")
    expect(screen.getByText("Priority 2")).toBeTruthy()
    expect(screen.getByTestId("account-state").textContent).toBe("Active")
    expect(screen.getByText("No usage reported yet")).toBeTruthy()
    expect(screen.getByText("Added 3 days ago")).toBeTruthy()
  })

  it("draws both usage windows with their reset countdowns", () => {
    show(
      <AccountCard
        account={makeAccount({ usage: makeUsage([12, 185], [64.6, 2 * 24 * 60 + 4 * 60]) })}
        now={NOW}
        actions={false}
      />,
    )

    expect(screen.getByText("5-hour window")).toBeTruthy()
    expect(screen.getByText("12% used")).toBeTruthy()
    expect(screen.getByText("Resets in 3h 5m")).toBeTruthy()
    expect(screen.getByText("Weekly window")).toBeTruthy()
    expect(screen.getByText("65% used")).toBeTruthy()
    expect(screen.getByText("Resets in 2d 4h")).toBeTruthy()
    expect(screen.getAllByRole("progressbar")).toHaveLength(2)
  })

  it("shows until when a blocked account waits, and why", () => {
    const account = makeAccount({
      state: Account_State.BLOCKED,
      blockExpireTime: timestampFromDate(new Date("2026-11-24T14:32:00Z")),
      blockReason: "usage_limit_reached",
    })
    show(<AccountCard account={account} now={NOW} actions={false} />)

    expect(screen.getByTestId("account-state").textContent).toBe("Blocked until 14:32")
    const reason = screen.getByTestId("reason")
    expect(reason.textContent).toBe("Usage limit reached")
    expect(reason.dataset.code).toBe("usage_limit_reached")
  })

  it("marks an account that needs a new sign-in", () => {
    const account = makeAccount({
      state: Account_State.REAUTH_REQUIRED,
      reauthReason: "refresh_token_reused",
    })
    show(<AccountCard account={account} now={NOW} actions={false} />)

    expect(screen.getByTestId("account-state").textContent).toBe("Re-auth required")
    expect(screen.getByTestId("reason").textContent).toBe(
      "Its sign-in was used by another program (the refresh token was already used)",
    )
  })
})
