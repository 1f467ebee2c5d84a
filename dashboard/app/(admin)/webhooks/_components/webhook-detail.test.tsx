// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { beforeEach, describe, expect, it, vi } from "vitest"

import { Event_Type } from "@/lib/gen/multicodex/control/v1/event_pb"
import { DeliveryAttemptSchema, WebhookSchema } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { FakeControl } from "@/test/fake-control"
import { NOW, minutesFromNow } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { WebhookDetail } from "./webhook-detail"

// The App Router is not mounted in component tests; Delete navigates back to the list through it.
const push = vi.fn()
vi.mock("next/navigation", () => ({ useRouter: () => ({ push }) }))

const relay = create(WebhookSchema, {
  id: "whk_relay",
  url: "http://127.0.0.1:8080/hook",
  description: "chat relay",
  eventTypes: [],
  enabled: true,
  secretHint: "whsec_Zx9q…",
  createTime: timestampFromDate(NOW),
})

const attempt = (n: number, statusCode: number, retrying: boolean) =>
  create(DeliveryAttemptSchema, {
    deliveryId: "dlv_7",
    eventId: "evt_42",
    eventType: Event_Type.ACCOUNT_BLOCKED,
    attempt: n,
    time: timestampFromDate(minutesFromNow(n - 3)),
    duration: durationFromMs(12 * n),
    statusCode,
    success: statusCode < 300,
    error: statusCode < 300 ? "" : `HTTP ${statusCode}`,
    nextAttemptTime: retrying ? timestampFromDate(minutesFromNow(n - 2)) : undefined,
  })

function renderDetail(fake: FakeControl) {
  const user = userEvent.setup()
  renderWithControl(<WebhookDetail id="whk_relay" />, fake.transport)
  return { fake, user }
}

describe("WebhookDetail", () => {
  beforeEach(() => push.mockReset())

  it("shows the settings and the delivery log, newest first, with retries and errors", async () => {
    renderDetail(
      new FakeControl({
        webhooks: [relay],
        attempts: { whk_relay: [attempt(3, 200, false), attempt(2, 500, true), attempt(1, 500, true)] },
      }),
    )

    expect((await screen.findByTestId("webhook-url")).textContent).toBe("http://127.0.0.1:8080/hook")
    expect(screen.getByTestId("webhook-events").textContent).toBe("All events")
    expect(screen.getByText("whsec_Zx9q…")).toBeTruthy()
    const rows = await screen.findAllByTestId("delivery-attempt")
    expect(rows.map((row) => within(row).getByTestId("attempt-outcome").textContent)).toEqual([
      "Delivered (200)",
      "Failed, retrying",
      "Failed, retrying",
    ])
    const [newest, retried] = rows as [HTMLElement, HTMLElement, HTMLElement]
    expect(within(newest).getByText("Account blocked")).toBeTruthy()
    expect(within(newest).getByText("evt_42")).toBeTruthy()
    expect(within(newest).getByText("36 ms")).toBeTruthy()
    expect(within(retried).getByText("HTTP 500")).toBeTruthy()
    expect(within(retried).getByText(/^next at /)).toBeTruthy()
  })

  it("sends a test event and says where to look", async () => {
    const { fake, user } = renderDetail(new FakeControl({ webhooks: [relay] }))
    expect(await screen.findByText("No deliveries yet")).toBeTruthy()

    await user.click(screen.getByRole("button", { name: "Send test event" }))

    expect(await screen.findByText("Test event queued")).toBeTruthy()
    expect(fake.callsOf("testWebhook")).toEqual([expect.objectContaining({ id: "whk_relay" })])
  })

  it("edits the webhook with an explicit mask, so that choosing no type means all events", async () => {
    const filtered = { ...relay, eventTypes: [Event_Type.POOL_EXHAUSTED] }
    const { fake, user } = renderDetail(new FakeControl({ webhooks: [filtered] }))
    await user.click(await screen.findByRole("button", { name: "Edit" }))
    const form = await screen.findByRole("dialog", { name: "Edit webhook" })

    await user.click(within(form).getByRole("checkbox", { name: "Pool exhausted" }))
    await user.clear(within(form).getByLabelText("Description"))
    await user.type(within(form).getByLabelText("Description"), "relay v2")
    await user.click(within(form).getByRole("button", { name: "Save" }))

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull())
    expect(fake.callsOf("updateWebhook")).toEqual([
      expect.objectContaining({
        webhook: expect.objectContaining({ id: "whk_relay", description: "relay v2", eventTypes: [] }),
        updateMask: expect.objectContaining({ paths: ["url", "description", "event_types", "enabled"] }),
      }),
    ])
    await waitFor(() => expect(screen.getByTestId("webhook-events").textContent).toBe("All events"))
  })

  it("deletes after a confirmation naming the URL, then goes back to the list", async () => {
    const { fake, user } = renderDetail(new FakeControl({ webhooks: [relay] }))
    await user.click(await screen.findByRole("button", { name: "Delete" }))

    const confirm = await screen.findByRole("alertdialog", { name: "Delete this webhook?" })
    expect(within(confirm).getByText("http://127.0.0.1:8080/hook")).toBeTruthy()
    await user.click(within(confirm).getByRole("button", { name: "Delete webhook" }))

    await waitFor(() => expect(push).toHaveBeenCalledWith("/webhooks"))
    expect(fake.webhooks).toEqual([])
  })

  it("says so when the webhook does not exist", async () => {
    renderDetail(new FakeControl())

    expect(await screen.findByText("No such webhook")).toBeTruthy()
    expect(screen.getByRole("link", { name: "Back to webhooks" }).getAttribute("href")).toBe("/webhooks")
  })
})
