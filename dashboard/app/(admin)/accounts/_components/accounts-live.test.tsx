// @vitest-environment happy-dom
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { Code, ConnectError } from "@connectrpc/connect"
import { screen, waitFor, within } from "@testing-library/react"
import { describe, expect, it } from "vitest"

import { AdminTokenGate } from "@/components/admin-token/admin-token-gate"
import { writeAdminToken } from "@/lib/admin-token"
import { Account_State } from "@/lib/gen/multicodex/control/v1/account_pb"
import { FakeControl } from "@/test/fake-control"
import { makeAccount, minutesFromNow } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { AccountsView } from "./accounts-view"

// Reconnect at once in tests; a stable function, so the watch effect does not restart on every render.
const fast = { delay: () => 5 }
const ada = makeAccount()
const grace = makeAccount({ id: "acc_grace", email: "grace@example.com", label: "Grace" })

describe("AccountsView, live", () => {
  it("follows WatchAccounts: cards appear, change and go without a reload", async () => {
    const fake = new FakeControl({ accounts: [ada] })
    renderWithControl(<AccountsView watch={fast} />, fake.transport)

    expect(await screen.findByText("ada@example.com")).toBeTruthy()
    await waitFor(() => expect(screen.getByTestId("live-indicator").textContent).toBe("Live"))

    fake.setAccounts([ada, grace])
    expect(await screen.findByText("Grace")).toBeTruthy()
    expect(within(screen.getByTestId("pool-summary")).getByText("2 of 2")).toBeTruthy()

    const blockExpireTime = timestampFromDate(new Date(Date.now() + 60 * 60_000))
    fake.setAccounts([
      { ...ada, state: Account_State.BLOCKED, blockExpireTime, blockReason: "usage_limit_reached" },
      grace,
    ])
    await waitFor(() =>
      expect(screen.getAllByTestId("account-state")[0]?.textContent).toMatch(/^Blocked until /),
    )
    expect(screen.getByRole("button", { name: "Unblock" })).toBeTruthy()

    fake.setAccounts([grace])
    await waitFor(() => expect(screen.queryByText("ada@example.com")).toBeNull())
    // One stream did all this: no polling, no second ListAccounts.
    expect(fake.callsOf("watchAccounts")).toHaveLength(1)
    expect(fake.callsOf("listAccounts").length).toBeLessThanOrEqual(1)
  })

  it("shows reconnecting when the stream ends, then reconnects and keeps following", async () => {
    const fake = new FakeControl({ accounts: [ada] })
    let attempts = 0
    const slowOnce = { delay: () => (attempts++ === 0 ? 150 : 5) }
    renderWithControl(<AccountsView watch={slowOnce} />, fake.transport)
    await waitFor(() => expect(screen.getByTestId("live-indicator").textContent).toBe("Live"))

    fake.endWatches()
    await waitFor(() => expect(screen.getByTestId("live-indicator").textContent).toBe("Reconnecting…"))
    // The list stays on screen meanwhile.
    expect(screen.getByText("ada@example.com")).toBeTruthy()

    await waitFor(() => expect(screen.getByTestId("live-indicator").textContent).toBe("Live"))
    expect(fake.callsOf("watchAccounts")).toHaveLength(2)
    fake.setAccounts([ada, grace])
    expect(await screen.findByText("Grace")).toBeTruthy()
  })

  it("reopens a long-lived stream that ended at once, without showing reconnecting", async () => {
    const fake = new FakeControl({ accounts: [ada] })
    const quiet = { delay: () => 5_000, healthyAfterMs: 0 }
    const seen: string[] = []
    renderWithControl(<AccountsView watch={quiet} />, fake.transport)
    await waitFor(() => expect(screen.getByTestId("live-indicator").textContent).toBe("Live"))
    const observer = new MutationObserver(() =>
      seen.push(screen.getByTestId("live-indicator").textContent ?? ""),
    )
    observer.observe(screen.getByTestId("live-indicator"), {
      subtree: true,
      characterData: true,
      childList: true,
    })

    fake.endWatches()

    await waitFor(() => expect(fake.callsOf("watchAccounts")).toHaveLength(2))
    fake.setAccounts([ada, grace])
    expect(await screen.findByText("Grace")).toBeTruthy()
    observer.disconnect()
    expect(seen).not.toContain("Reconnecting…")
  })

  it("keeps one stream through re-renders, even when each render passes new options", async () => {
    // The options object and its functions are new on every render here, as a default parameter can be after
    // minification; the page once reopened its stream on every render, and every message rendered again.
    const fake = new FakeControl({ accounts: [ada] })
    const view = () => <AccountsView watch={{ delay: () => 5, healthyAfterMs: 60_000 }} />
    const { rerender } = renderWithControl(view(), fake.transport)
    await waitFor(() => expect(screen.getByTestId("live-indicator").textContent).toBe("Live"))

    for (let i = 0; i < 5; i++) {
      rerender(view())
      fake.setAccounts([ada, { ...grace, label: `Grace ${i}` }])
      expect(await screen.findByText(`Grace ${i}`)).toBeTruthy()
    }

    expect(fake.callsOf("watchAccounts")).toHaveLength(1)
    expect(fake.openWatches).toBe(1)
  })

  it("retries with backoff while Control is down", async () => {
    const fake = new FakeControl({ accounts: [ada] })
    const delays: number[] = []
    const record = {
      delay: (attempt: number) => {
        delays.push(attempt)
        return 5
      },
    }
    fake.failNext("watchAccounts", new ConnectError("HTTP 502", Code.Unavailable))
    renderWithControl(<AccountsView watch={record} />, fake.transport)

    await waitFor(() => expect(screen.getByTestId("live-indicator").textContent).toBe("Live"))
    expect(delays).toEqual([0])
    expect(screen.getByText("ada@example.com")).toBeTruthy()
  })

  it("brings up the sign-in screen when the stream is refused for the token", async () => {
    writeAdminToken("old-token")
    const fake = new FakeControl({ accounts: [ada], adminToken: "new-token" })
    renderWithControl(
      <AdminTokenGate>
        <AccountsView watch={fast} />
      </AdminTokenGate>,
      fake.transport,
    )

    expect(await screen.findByText("Saved token not accepted")).toBeTruthy()
  })

  it("an account whose block has passed shows as Active, without Unblock", async () => {
    const expired = makeAccount({
      state: Account_State.BLOCKED,
      blockExpireTime: timestampFromDate(minutesFromNow(-60 * 24 * 365)),
    })
    renderWithControl(<AccountsView watch={fast} />, new FakeControl({ accounts: [expired] }).transport)

    await waitFor(() => expect(screen.getByTestId("account-state").textContent).toBe("Active"))
    expect(screen.queryByRole("button", { name: "Unblock" })).toBeNull()
  })
})
