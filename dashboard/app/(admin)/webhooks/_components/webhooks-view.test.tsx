// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import { Event_Type } from "@/lib/gen/multicodex/control/v1/event_pb"
import { DeliveryAttemptSchema, WebhookSchema } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { FakeControl } from "@/test/fake-control"
import { NOW, minutesFromNow } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { CreateWebhookButton } from "./create-webhook-button"
import { WebhooksView } from "./webhooks-view"

const pager = create(WebhookSchema, {
  id: "whk_pager",
  url: "https://hooks.example.com/pager",
  description: "on-call pager",
  eventTypes: [Event_Type.POOL_EXHAUSTED, Event_Type.REAUTH_REQUIRED],
  enabled: true,
  secretHint: "whsec_Zx9q…",
  createTime: timestampFromDate(NOW),
  lastAttempt: create(DeliveryAttemptSchema, {
    deliveryId: "dlv_1",
    eventType: Event_Type.POOL_EXHAUSTED,
    attempt: 2,
    time: timestampFromDate(minutesFromNow(-5)),
    statusCode: 500,
    error: "HTTP 500",
    nextAttemptTime: timestampFromDate(minutesFromNow(1)),
  }),
})

function renderPage(fake = new FakeControl()) {
  const user = userEvent.setup()
  renderWithControl(
    <>
      <CreateWebhookButton />
      <WebhooksView />
    </>,
    fake.transport,
  )
  return { fake, user }
}

describe("WebhooksView", () => {
  it("says what webhooks are for while there is none", async () => {
    renderPage()

    expect(await screen.findByText("No webhooks yet")).toBeTruthy()
    expect(screen.getByText(/when an account is blocked or needs a new sign-in/)).toBeTruthy()
  })

  it("lists a webhook with its URL (a link to its page), its events and its last delivery", async () => {
    renderPage(new FakeControl({ webhooks: [pager] }))

    const row = await screen.findByTestId("webhook-row")
    const link = within(row).getByRole("link", { name: "https://hooks.example.com/pager" })
    expect(link.getAttribute("href")).toBe("/webhooks/whk_pager")
    expect(within(row).getByText("on-call pager")).toBeTruthy()
    expect(within(row).getByText("Re-auth required, Pool exhausted")).toBeTruthy()
    expect(within(row).getByText("Failed, retrying").getAttribute("title")).toBe("HTTP 500")
    expect(within(row).getByRole("switch", { name: "Enabled: https://hooks.example.com/pager" })).toBeTruthy()
  })

  it("adds a webhook for the chosen events and shows its secret once", async () => {
    const { fake, user } = renderPage()
    await screen.findByText("No webhooks yet")

    await user.click(screen.getByRole("button", { name: "Add webhook" }))
    const form = await screen.findByRole("dialog", { name: "Add webhook" })
    await user.type(within(form).getByLabelText("URL"), "http://127.0.0.1:8080/hook")
    await user.type(within(form).getByLabelText("Description"), "relay")
    expect(within(form).getByText("Sends: All events (none chosen).")).toBeTruthy()
    await user.click(within(form).getByRole("checkbox", { name: "Pool exhausted" }))
    await user.click(within(form).getByRole("checkbox", { name: "Pool recovered" }))
    expect(within(form).getByText("Sends: Pool exhausted, Pool recovered.")).toBeTruthy()
    await user.click(within(form).getByRole("button", { name: "Add webhook" }))

    const shown = await screen.findByRole("dialog", { name: "Webhook created" })
    const secret = (
      within(shown).getByRole("textbox", { name: "Webhook signing secret" }) as HTMLInputElement
    ).value
    expect(secret).toBe("whsec_Ab3d-s3cr3t-value-1")
    expect(within(shown).getByText(/you won’t see it again/)).toBeTruthy()
    expect(fake.callsOf("createWebhook")).toEqual([
      expect.objectContaining({
        webhook: expect.objectContaining({
          url: "http://127.0.0.1:8080/hook",
          description: "relay",
          eventTypes: [Event_Type.POOL_EXHAUSTED, Event_Type.POOL_RECOVERED],
          enabled: true,
        }),
      }),
    ])

    await user.click(within(shown).getByRole("button", { name: "Done" }))
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull())
    expect(await screen.findByTestId("webhook-row")).toBeTruthy()
    expect(document.body.innerHTML).not.toContain(secret)
  })

  it("keeps the form open with Control's message when the URL is refused", async () => {
    const { fake, user } = renderPage()
    await user.click(await screen.findByRole("button", { name: "Add webhook" }))
    const form = await screen.findByRole("dialog", { name: "Add webhook" })

    await user.type(within(form).getByLabelText("URL"), "ftp://files.example.com/hook")
    await user.click(within(form).getByRole("button", { name: "Add webhook" }))

    expect(await within(form).findByText(/Only http and https URLs can receive webhooks/)).toBeTruthy()
    expect(fake.webhooks).toEqual([])
  })

  it("turns a webhook off from its row", async () => {
    const { fake, user } = renderPage(new FakeControl({ webhooks: [pager] }))

    await user.click(await screen.findByRole("switch", { name: "Enabled: https://hooks.example.com/pager" }))

    await waitFor(() =>
      expect(fake.callsOf("updateWebhook")).toEqual([
        expect.objectContaining({
          webhook: expect.objectContaining({ id: "whk_pager", enabled: false }),
          updateMask: expect.objectContaining({ paths: ["enabled"] }),
        }),
      ]),
    )
    await waitFor(() =>
      expect(
        screen
          .getByRole("switch", { name: "Enabled: https://hooks.example.com/pager" })
          .getAttribute("aria-checked"),
      ).toBe("false"),
    )
  })
})
