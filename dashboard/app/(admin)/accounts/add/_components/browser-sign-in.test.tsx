// @vitest-environment happy-dom
import { screen, waitFor } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { afterEach, describe, expect, it, vi } from "vitest"

import type { CompleteOAuthFlowRequest } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import { FakeControl } from "@/test/fake-control"
import { renderWithControl } from "@/test/render"

import { BrowserSignIn } from "./browser-sign-in"

afterEach(() => vi.restoreAllMocks())

async function start(email = "ada@example.com") {
  const fake = new FakeControl()
  const user = userEvent.setup()
  const open = vi.spyOn(window, "open").mockReturnValue(null)
  renderWithControl(<BrowserSignIn pollIntervalMs={50} />, fake.transport)
  await user.type(screen.getByLabelText("Email"), email)
  await user.click(screen.getByRole("button", { name: "Start OAuth" }))
  const shown = await screen.findByRole("textbox", { name: "Sign-in URL" })
  return { fake, user, open, url: (shown as HTMLInputElement).value }
}

describe("BrowserSignIn (the OAuth paste workflow)", () => {
  it("Start OAuth opens the authorize URL in a new tab and shows it with a copy button", async () => {
    const { fake, open, url } = await start()

    expect(fake.callsOf("startOAuthFlow")).toEqual([expect.objectContaining({ email: "ada@example.com" })])
    expect(url).toBe("https://auth.example.test/oauth/authorize?state=st_flow_1")
    expect(open).toHaveBeenCalledWith(url, "_blank", "noopener,noreferrer")
    expect(screen.getByRole("button", { name: "Copy the sign-in URL" })).toBeTruthy()
    expect(screen.getByRole("link", { name: "Open the sign-in page" }).getAttribute("href")).toBe(url)
    expect(await screen.findByText(/Waiting for the redirected URL/)).toBeTruthy()
  })

  it("completes from the pasted redirect URL and shows the new account", async () => {
    const { fake, user } = await start()
    const redirect = "http://localhost:1455/auth/callback?code=ac_1&state=st_flow_1"

    await user.type(screen.getByLabelText("Redirected URL"), redirect)
    await user.click(screen.getByRole("button", { name: "Complete OAuth from pasted URL" }))

    expect(await screen.findByText(/Signed in as ada@example\.com/)).toBeTruthy()
    expect(screen.getByTestId("account-card").textContent).toContain("ada@example.com")
    expect(screen.getByRole("link", { name: "Go to Accounts" })).toBeTruthy()
    const [request] = fake.callsOf("completeOAuthFlow") as CompleteOAuthFlowRequest[]
    expect(request).toMatchObject({ flowId: "flow_1", redirectUrl: redirect })
    // Finished: nothing more to paste, and polling stops.
    expect((screen.getByLabelText("Redirected URL") as HTMLInputElement).disabled).toBe(true)
    const polls = fake.callsOf("getOAuthFlow").length
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(fake.callsOf("getOAuthFlow").length).toBe(polls)
  })

  it("shows the server's message for a URL that does not match, and lets the user paste again", async () => {
    const { user } = await start()

    await user.type(
      screen.getByLabelText("Redirected URL"),
      "http://localhost:1455/auth/callback?code=x&state=other",
    )
    await user.click(screen.getByRole("button", { name: "Complete OAuth from pasted URL" }))

    expect(await screen.findByText("The URL's state does not match this sign-in.")).toBeTruthy()
    expect(screen.getByText("Invalid input")).toBeTruthy()
    expect((screen.getByLabelText("Redirected URL") as HTMLInputElement).disabled).toBe(false)
  })

  it("says when the flow expired while waiting", async () => {
    const { fake } = await start()
    const { endFlow } = await import("@/test/fake-services")
    const { OAuthFlow_State } = await import("@/lib/gen/multicodex/control/v1/oauth_service_pb")

    endFlow(fake, "flow_1", OAuthFlow_State.EXPIRED)

    expect(await screen.findByText("Sign-in expired")).toBeTruthy()
    await waitFor(() =>
      expect(
        (screen.getByRole("button", { name: "Complete OAuth from pasted URL" }) as HTMLButtonElement)
          .disabled,
      ).toBe(true),
    )
  })
})
