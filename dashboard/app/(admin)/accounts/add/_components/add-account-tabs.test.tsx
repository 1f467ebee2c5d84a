// @vitest-environment happy-dom
import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"

import { Account_State } from "@/lib/gen/multicodex/control/v1/account_pb"
import type { ImportAccountsRequest } from "@/lib/gen/multicodex/control/v1/account_service_pb"
import type { StartOAuthFlowRequest } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import { FakeControl } from "@/test/fake-control"
import { makeAccount } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { AddAccountTabs } from "./add-account-tabs"

const search = vi.hoisted(() => ({ value: "" }))
vi.mock("next/navigation", () => ({ useSearchParams: () => new URLSearchParams(search.value) }))

const bob = makeAccount({
  id: "acc_bob",
  email: "bob@example.com",
  label: "Bob (team)",
  priority: 4,
  state: Account_State.REAUTH_REQUIRED,
  reauthReason: "refresh_token_reused",
})

beforeEach(() => {
  search.value = ""
  vi.spyOn(window, "open").mockReturnValue(null)
})
afterEach(() => vi.restoreAllMocks())

function renderTabs(fake: FakeControl) {
  const user = userEvent.setup()
  renderWithControl(<AddAccountTabs />, fake.transport)
  // Without CSS both the short and the long tab name count, so match the long one.
  const panel = (name: string) =>
    screen.getByRole("tabpanel", { name: new RegExp(`${name.replace(".", "\\.")}$`) })
  return { user, panel }
}

describe("Sign in again (?renew=<id>)", () => {
  it("signs the same account in again: one account, settings kept, active again", async () => {
    search.value = "renew=acc_bob"
    const fake = new FakeControl({ accounts: [bob] })
    const { user, panel } = renderTabs(fake)

    expect((await screen.findByTestId("renew-notice")).textContent).toContain("Signing in again: Bob (team)")
    const browser = panel("Browser sign-in")
    const email = within(browser).getByLabelText("Email") as HTMLInputElement
    expect(email.value).toBe("bob@example.com")
    expect(email.readOnly).toBe(true)

    await user.click(within(browser).getByRole("button", { name: "Start OAuth" }))
    await user.type(
      await within(browser).findByLabelText("Redirected URL"),
      "http://localhost:1455/auth/callback?code=ac_1&state=st_flow_1",
    )
    await user.click(within(browser).getByRole("button", { name: "Complete OAuth from pasted URL" }))

    expect(await within(browser).findByText(/Signed in again as bob@example\.com/)).toBeTruthy()
    const [request] = fake.callsOf("startOAuthFlow") as StartOAuthFlowRequest[]
    expect(request).toMatchObject({ email: "bob@example.com", renewAccountId: "acc_bob" })
    expect(fake.accounts).toHaveLength(1)
    expect(fake.accounts[0]).toMatchObject({
      id: "acc_bob",
      label: "Bob (team)",
      state: Account_State.ACTIVE,
    })
  })

  it("says so when the account to sign in again is gone", async () => {
    search.value = "renew=acc_gone"
    renderTabs(new FakeControl({ accounts: [] }))

    expect((await screen.findByTestId("renew-notice")).textContent).toContain("No account to sign in again")
  })
})

describe("one pending sign-in at a time", () => {
  it("blocks a second start, in either tab, until the first is cancelled", async () => {
    const fake = new FakeControl()
    const { user, panel } = renderTabs(fake)
    const browser = panel("Browser sign-in")

    await user.click(within(browser).getByRole("button", { name: "Start OAuth" }))
    await within(browser).findByRole("button", { name: "Cancel sign-in" })
    await user.click(screen.getByRole("tab", { name: /Device code/ }))
    const device = panel("Device code")
    expect(within(device).getByRole("button", { name: "Start device sign-in" })).toHaveProperty(
      "disabled",
      true,
    )
    expect(within(device).getByText(/A browser sign-in is in progress/)).toBeTruthy()

    await user.click(screen.getByRole("tab", { name: /Browser sign-in/ }))
    await user.click(within(browser).getByRole("button", { name: "Cancel sign-in" }))

    expect(await within(browser).findByText("Sign-in cancelled")).toBeTruthy()
    expect(fake.callsOf("cancelOAuthFlow")).toEqual([expect.objectContaining({ flowId: "flow_1" })])
    expect(within(device).getByRole("button", { name: "Start device sign-in" })).toHaveProperty(
      "disabled",
      false,
    )
    expect(within(browser).getByRole("button", { name: "Start OAuth" })).toHaveProperty("disabled", false)
  })

  it("cancels a device sign-in, after which it is no longer polled", async () => {
    const fake = new FakeControl()
    const user = userEvent.setup()
    const { DeviceSignIn } = await import("./device-sign-in")
    renderWithControl(<DeviceSignIn pollIntervalMs={20} />, fake.transport)
    await user.click(screen.getByRole("button", { name: "Start device sign-in" }))
    await waitFor(() => expect(fake.callsOf("getOAuthFlow").length).toBeGreaterThan(0))

    await user.click(screen.getByRole("button", { name: "Cancel sign-in" }))
    expect(await screen.findByText("Sign-in cancelled")).toBeTruthy()
    const polls = fake.callsOf("getOAuthFlow").length
    await new Promise((resolve) => setTimeout(resolve, 150))

    expect(fake.callsOf("getOAuthFlow").length).toBe(polls)
    expect(screen.queryByTestId("user-code")).toBeNull()
  })
})

describe("the email typed and the account signed in", () => {
  it("warns when ChatGPT signed in another email than the one typed", async () => {
    const fake = new FakeControl()
    fake.signInAs = "other@example.com"
    const { user, panel } = renderTabs(fake)
    const browser = panel("Browser sign-in")

    await user.type(within(browser).getByLabelText("Email"), "ada@example.com")
    await user.click(within(browser).getByRole("button", { name: "Start OAuth" }))
    await user.type(
      await within(browser).findByLabelText("Redirected URL"),
      "http://localhost:1455/auth/callback?code=ac_1&state=st_flow_1",
    )
    await user.click(within(browser).getByRole("button", { name: "Complete OAuth from pasted URL" }))

    const warning = await within(browser).findByTestId("email-mismatch")
    expect(warning.textContent).toContain(
      "You started this sign-in for ada@example.com, but ChatGPT signed in other@example.com",
    )
  })
})

describe("import", () => {
  it("takes an export answer as it is, and says when newer stored tokens were kept", async () => {
    const fake = new FakeControl({ accounts: [makeAccount({ email: "ada@example.com" })] })
    const { user, panel } = renderTabs(fake)
    await user.click(screen.getByRole("tab", { name: /Import auth\.json/ }))
    const importer = panel("Import auth.json")

    const file = JSON.stringify({ email: "ada@example.com", older: true })
    const textarea = within(importer).getByLabelText("auth.json contents")
    await user.click(textarea)
    await user.paste(JSON.stringify({ authJson: file }))
    await user.click(within(importer).getByRole("button", { name: "Import" }))

    expect(await within(importer).findByText(/Kept the tokens ada@example\.com already has/)).toBeTruthy()
    const [request] = fake.callsOf("importAccounts") as ImportAccountsRequest[]
    expect(request?.authJsons).toEqual([file])
  })
})
