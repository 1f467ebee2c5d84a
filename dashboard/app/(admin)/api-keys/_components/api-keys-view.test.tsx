// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import { ApiKeySchema } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import { GetUsageOverviewResponseSchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { FakeControl } from "@/test/fake-control"
import { NOW } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { ApiKeysView } from "./api-keys-view"

const laptop = create(ApiKeySchema, {
  id: "key_laptop",
  name: "laptop",
  prefix: "mcx_Ab3d…",
  createTime: timestampFromDate(NOW),
})

function renderKeys(fake = new FakeControl()) {
  const user = userEvent.setup()
  renderWithControl(<ApiKeysView />, fake.transport)
  return { fake, user }
}

describe("ApiKeysView", () => {
  it("shows each key's use over the chosen range: requests, errors, tokens, cache hit rate, last use", async () => {
    const overview = create(GetUsageOverviewResponseSchema, {
      clientKeys: [
        {
          id: "laptop",
          displayName: "laptop",
          figures: {
            requests: 42n,
            errors: 3n,
            inputTokens: 2000n,
            cachedInputTokens: 500n,
            outputTokens: 90n,
            cacheHitRate: 0.25,
            lastRequestTime: timestampFromDate(NOW),
          },
        },
      ],
    })
    const { fake, user } = renderKeys(new FakeControl({ apiKeys: [laptop], overview }))

    const row = await screen.findByTestId("api-key-row")
    await waitFor(() => expect(within(row).getByTestId("key-requests").textContent).toBe("42"))
    expect(within(row).getByTestId("key-errors").textContent).toBe("3")
    expect(within(row).getByTestId("key-tokens").textContent).toBe("2,000 (500) / 90")
    expect(within(row).getByText("25 %")).toBeTruthy()
    await user.click(
      within(screen.getByRole("group", { name: "Usage range" })).getByRole("button", { name: "7d" }),
    )
    await waitFor(() =>
      expect(
        Number((fake.callsOf("getUsageOverview").at(-1) as { window: { seconds: bigint } }).window.seconds),
      ).toBe(7 * 86_400),
    )
  })

  it("explains that /v1 is open while no key exists", async () => {
    renderKeys()

    expect(await screen.findByText("No API keys: /v1 is open")).toBeTruthy()
    expect(screen.getByText(/open to anyone who can reach this port/)).toBeTruthy()
  })

  it("lists keys with name, prefix and creation time", async () => {
    renderKeys(new FakeControl({ apiKeys: [laptop] }))

    const row = await screen.findByTestId("api-key-row")
    expect(within(row).getByText("laptop")).toBeTruthy()
    expect(within(row).getByText("mcx_Ab3d…")).toBeTruthy()
    expect(within(row).getByRole("button", { name: "Revoke laptop" })).toBeTruthy()
  })

  it("shows a new key's secret once, with a copy button and a warning, then never again", async () => {
    const { fake, user } = renderKeys()
    await screen.findByText("No API keys: /v1 is open")

    await user.type(screen.getByLabelText("Key name"), "ci")
    await user.click(screen.getByRole("button", { name: "Create key" }))

    const dialog = await screen.findByRole("dialog", { name: "Key “ci” created" })
    const secret = (within(dialog).getByRole("textbox", { name: "API key secret" }) as HTMLInputElement).value
    expect(secret).toBe("mcx_k1ab_s3cr3t-value-1")
    expect(within(dialog).getByText(/you won’t see it again/)).toBeTruthy()
    expect(within(dialog).getByRole("button", { name: "Copy the secret" })).toBeTruthy()
    expect(fake.callsOf("createApiKey")).toEqual([expect.objectContaining({ name: "ci" })])

    await user.click(within(dialog).getByRole("button", { name: "Done" }))

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull())
    expect(await screen.findByTestId("api-key-row")).toBeTruthy()
    expect(document.body.innerHTML).not.toContain(secret)
    expect((screen.getByLabelText("Key name") as HTMLInputElement).value).toBe("")
    expect(document.activeElement).toBe(screen.getByLabelText("Key name"))
  })

  it("says so when the name is taken", async () => {
    const { user } = renderKeys(new FakeControl({ apiKeys: [laptop] }))
    await screen.findByTestId("api-key-row")

    await user.type(screen.getByLabelText("Key name"), "laptop")
    await user.click(screen.getByRole("button", { name: "Create key" }))

    expect(await screen.findByRole("alert")).toBeTruthy()
    expect(screen.getByText('An API key named "laptop" already exists.')).toBeTruthy()
    expect(screen.queryByRole("dialog")).toBeNull()
  })

  it("revokes a key after a confirmation naming it", async () => {
    const { fake, user } = renderKeys(new FakeControl({ apiKeys: [laptop] }))
    await user.click(await screen.findByRole("button", { name: "Revoke laptop" }))

    const confirm = await screen.findByRole("alertdialog", { name: "Revoke “laptop”?" })
    expect(within(confirm).getByText(/get 401 from now on/)).toBeTruthy()
    await user.click(within(confirm).getByRole("button", { name: "Revoke key" }))

    expect(await screen.findByText("No API keys: /v1 is open")).toBeTruthy()
    expect(fake.callsOf("revokeApiKey")).toEqual([expect.objectContaining({ id: "key_laptop" })])
    expect(screen.getByText("Revoked “laptop”")).toBeTruthy()
  })
})
