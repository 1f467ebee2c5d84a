// @vitest-environment happy-dom
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { Code, ConnectError } from "@connectrpc/connect"
import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it, vi } from "vitest"

import { Account_State, type Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import type { UpdateAccountRequest } from "@/lib/gen/multicodex/control/v1/account_service_pb"
import { FakeControl } from "@/test/fake-control"
import { makeAccount } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { AccountsView } from "./accounts-view"

const fast = { delay: () => 5 }

async function renderAccounts(accounts: Account[]) {
  const fake = new FakeControl({ accounts })
  const user = userEvent.setup()
  renderWithControl(<AccountsView watch={fast} />, fake.transport)
  await screen.findAllByTestId("account-card")
  return { fake, user, card: (name: string) => screen.getByRole("group", { name }) }
}

describe("account card actions", () => {
  it("the Enabled switch disables and enables the account with an update mask", async () => {
    const { fake, user, card } = await renderAccounts([makeAccount()])

    await user.click(within(card("ada@example.com")).getByRole("switch", { name: "Enabled" }))

    await waitFor(() =>
      expect(within(card("ada@example.com")).getByTestId("account-state").textContent).toBe("Disabled"),
    )
    const [request] = fake.callsOf("updateAccount") as UpdateAccountRequest[]
    expect(request?.updateMask?.paths).toEqual(["enabled"])
    expect(request?.account?.enabled).toBe(false)
    expect(await screen.findByText("ada@example.com disabled")).toBeTruthy()

    await user.click(within(card("ada@example.com")).getByRole("switch", { name: "Enabled" }))
    await waitFor(() =>
      expect(within(card("ada@example.com")).getByTestId("account-state").textContent).toBe("Active"),
    )
  })

  it("Unblock shows only while blocked, and clears the block", async () => {
    const blocked = makeAccount({
      state: Account_State.BLOCKED,
      blockExpireTime: timestampFromDate(new Date(Date.now() + 3_600_000)),
      blockReason: "usage_limit_reached",
    })
    const { fake, user, card } = await renderAccounts([
      blocked,
      makeAccount({ id: "acc_2", email: "b@example.com", label: "B" }),
    ])
    expect(within(card("B")).queryByRole("button", { name: "Unblock" })).toBeNull()

    await user.click(within(card("ada@example.com")).getByRole("button", { name: "Unblock" }))

    await waitFor(() =>
      expect(within(card("ada@example.com")).getByTestId("account-state").textContent).toBe("Active"),
    )
    expect(within(card("ada@example.com")).queryByRole("button", { name: "Unblock" })).toBeNull()
    expect(fake.callsOf("unblockAccount")).toEqual([expect.objectContaining({ id: blocked.id })])
    expect(await screen.findByText("ada@example.com unblocked")).toBeTruthy()
  })

  it("a failed action says so in a toast with the server's message", async () => {
    const { fake, user, card } = await renderAccounts([makeAccount()])
    fake.failNext(
      "refreshAccountUsage",
      new ConnectError("The usage endpoint answered 503.", Code.Unavailable),
    )

    await user.click(within(card("ada@example.com")).getByRole("button", { name: "Refresh usage" }))

    expect(await screen.findByText("Could not refresh usage for ada@example.com")).toBeTruthy()
    expect(screen.getByText("The usage endpoint answered 503.")).toBeTruthy()
  })

  it("edits label and priority in a dialog", async () => {
    const { fake, user, card } = await renderAccounts([makeAccount()])

    await user.click(within(card("ada@example.com")).getByRole("button", { name: "Edit" }))
    const dialog = await screen.findByRole("dialog", { name: "Edit account" })
    const label = within(dialog).getByLabelText("Label")
    expect(document.activeElement).toBe(label)
    await user.clear(label)
    await user.type(label, "Work")
    await user.clear(within(dialog).getByLabelText("Priority"))
    await user.type(within(dialog).getByLabelText("Priority"), "5")
    await user.click(within(dialog).getByRole("button", { name: "Save" }))

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull())
    const [request] = fake.callsOf("updateAccount") as UpdateAccountRequest[]
    expect(request?.updateMask?.paths).toEqual(["label", "priority"])
    expect(request?.account).toMatchObject({ label: "Work", priority: 5 })
    expect(within(card("Work")).getByText("Priority 5")).toBeTruthy()
  })

  it("keeps the edit dialog open with the server's message when saving fails", async () => {
    const { fake, user, card } = await renderAccounts([makeAccount()])
    fake.failNext(
      "updateAccount",
      new ConnectError("The label is longer than 100 characters.", Code.InvalidArgument),
    )

    await user.click(within(card("ada@example.com")).getByRole("button", { name: "Edit" }))
    const dialog = await screen.findByRole("dialog", { name: "Edit account" })
    await user.click(within(dialog).getByRole("button", { name: "Save" }))

    expect(await within(dialog).findByText("The label is longer than 100 characters.")).toBeTruthy()
    expect(screen.getByRole("dialog", { name: "Edit account" })).toBeTruthy()
  })

  it("asks before deleting, naming the account; Cancel keeps it, Delete removes it", async () => {
    const { fake, user, card } = await renderAccounts([makeAccount({ label: "Work" })])

    await user.click(within(card("Work")).getByRole("button", { name: "Delete" }))
    let dialog = await screen.findByRole("alertdialog", { name: "Delete Work?" })
    expect(within(dialog).getByText(/ada@example\.com/)).toBeTruthy()
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }))
    expect(fake.callsOf("deleteAccount")).toHaveLength(0)

    await user.click(within(card("Work")).getByRole("button", { name: "Delete" }))
    dialog = await screen.findByRole("alertdialog", { name: "Delete Work?" })
    await user.click(within(dialog).getByRole("button", { name: "Delete account" }))

    await waitFor(() => expect(screen.queryByTestId("account-card")).toBeNull())
    expect(await screen.findByText("No accounts yet")).toBeTruthy()
  })

  it("exports auth.json as a file download named after the account", async () => {
    const { fake, user, card } = await renderAccounts([makeAccount()])
    const createObjectURL = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:auth")
    const revokeObjectURL = vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {})
    let saved: { href: string; download: string } | undefined
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      saved = { href: this.href, download: this.download }
    })

    await user.click(within(card("ada@example.com")).getByRole("button", { name: "Export" }))

    expect(await screen.findByText("Exported auth.json for ada@example.com")).toBeTruthy()
    expect(saved).toEqual({ href: "blob:auth", download: "auth-ada-example.com.json" })
    const blob = createObjectURL.mock.calls[0]?.[0] as Blob
    expect(JSON.parse(await blob.text())).toEqual({ email: "ada@example.com" })
    expect(fake.callsOf("exportAccount")).toEqual([expect.objectContaining({ id: "acc_3f9c2a7d1e0b" })])
    click.mockRestore()
    createObjectURL.mockRestore()
    revokeObjectURL.mockRestore()
  })

  it("Refresh all usage probes every account and says so", async () => {
    const { user } = await renderAccounts([
      makeAccount(),
      makeAccount({ id: "acc_2", email: "b@example.com" }),
    ])

    await user.click(screen.getByRole("button", { name: "Refresh all usage" }))

    expect(await screen.findByText("Usage refreshed for 2 accounts")).toBeTruthy()
  })
})
