// @vitest-environment happy-dom
import { screen, waitFor } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import { OAuthFlow_State } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import { FakeControl } from "@/test/fake-control"
import { completeFlow, endFlow } from "@/test/fake-services"
import { renderWithControl } from "@/test/render"

import { DeviceSignIn } from "./device-sign-in"

async function start() {
  const fake = new FakeControl()
  const user = userEvent.setup()
  renderWithControl(<DeviceSignIn pollIntervalMs={30} />, fake.transport)
  await user.type(screen.getByLabelText("Email"), "grace@example.com")
  await user.click(screen.getByRole("button", { name: "Start device sign-in" }))
  await screen.findByTestId("user-code")
  return { fake, user }
}

describe("DeviceSignIn", () => {
  it("shows the user code big with a copy button, and the verification link", async () => {
    const { fake } = await start()

    expect(screen.getByLabelText("User code").textContent).toBe("ABCD-1234")
    expect(screen.getByRole("button", { name: "Copy the user code" })).toBeTruthy()
    const link = screen.getByRole("link", { name: /codex\/device/ })
    expect(link.getAttribute("href")).toBe("https://auth.example.test/codex/device")
    expect(link.getAttribute("target")).toBe("_blank")
    expect(fake.callsOf("startDeviceFlow")).toEqual([expect.objectContaining({ email: "grace@example.com" })])
    expect(screen.getByText(/Waiting for you to approve the code/)).toBeTruthy()
  })

  it("polls until Control completes the flow, then shows the account and stops polling", async () => {
    const { fake } = await start()
    await waitFor(() => expect(fake.callsOf("getOAuthFlow").length).toBeGreaterThanOrEqual(2))

    completeFlow(fake, "flow_1", "grace@example.com")

    expect(await screen.findByText(/Signed in as grace@example\.com/)).toBeTruthy()
    expect(screen.queryByTestId("user-code")).toBeNull()
    expect(await screen.findByText("Added grace@example.com")).toBeTruthy()
    const polls = fake.callsOf("getOAuthFlow").length
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(fake.callsOf("getOAuthFlow").length).toBe(polls)
  })

  it("says why a failed sign-in failed, and offers to start again", async () => {
    const { fake, user } = await start()

    endFlow(fake, "flow_1", OAuthFlow_State.FAILED, "The code was denied on the device page.")

    expect(await screen.findByText("Sign-in failed")).toBeTruthy()
    expect(screen.getByText(/The code was denied on the device page\./)).toBeTruthy()
    await user.click(screen.getByRole("button", { name: "Start another device sign-in" }))
    expect(screen.getByRole("button", { name: "Start device sign-in" })).toBeTruthy()
  })

  it("says when the code expired", async () => {
    const { fake } = await start()

    endFlow(fake, "flow_1", OAuthFlow_State.EXPIRED)

    expect(await screen.findByText("Sign-in expired")).toBeTruthy()
  })
})
