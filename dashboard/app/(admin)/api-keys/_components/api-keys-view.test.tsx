// @vitest-environment happy-dom
import { create, type MessageInitShape } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import {
  ApiKeySchema,
  KeyBudgetStatus_Metric,
  KeyBudgetStatus_Period,
} from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
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

/** The laptop key with more fields (spreading `laptop` itself would skip create()'s filling in of nested messages). */
function laptopWith(init: MessageInitShape<typeof ApiKeySchema>) {
  return create(ApiKeySchema, {
    id: laptop.id,
    name: laptop.name,
    prefix: laptop.prefix,
    createTime: laptop.createTime,
    ...init,
  })
}

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
          id: "key_laptop",
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

  it("creates a key with limits: budgets, concurrency and models as typed", async () => {
    const { fake, user } = renderKeys()
    await screen.findByText("No API keys: /v1 is open")

    await user.type(screen.getByLabelText("Key name"), "ci")
    await user.click(screen.getByRole("button", { name: "Limits" }))
    await user.type(screen.getByLabelText("Requests per day"), "100")
    await user.type(screen.getByLabelText("Tokens per month"), "2000000")
    await user.type(screen.getByLabelText("At most at once"), "2")
    await user.type(screen.getByLabelText("Allowed models"), "gpt-5.5, gpt-5*")
    await user.click(screen.getByRole("button", { name: "Create key" }))

    await screen.findByRole("dialog", { name: "Key “ci” created" })
    const [request] = fake.callsOf("createApiKey") as [
      {
        limits: {
          requestsPerDay: bigint
          tokensPerMonth: bigint
          maxConcurrentRequests: number
          allowedModels: string[]
        }
      },
    ]
    expect(request.limits.requestsPerDay).toBe(100n)
    expect(request.limits.tokensPerMonth).toBe(2_000_000n)
    expect(request.limits.maxConcurrentRequests).toBe(2)
    expect(request.limits.allowedModels).toEqual(["gpt-5.5", "gpt-5*"])
  })

  it("refuses a budget that is not a whole number, and sends nothing", async () => {
    const { fake, user } = renderKeys()
    await screen.findByText("No API keys: /v1 is open")

    await user.type(screen.getByLabelText("Key name"), "ci")
    await user.click(screen.getByRole("button", { name: "Limits" }))
    await user.type(screen.getByLabelText("Requests per week"), "ten")
    await user.click(screen.getByRole("button", { name: "Create key" }))

    expect((await screen.findByRole("alert")).textContent).toContain("Requests per week: a whole number")
    expect(fake.callsOf("createApiKey")).toEqual([])
  })

  it("shows where a key stands against each budget, spent ones with when they free up", async () => {
    const limited = laptopWith({
      limits: { requestsPerDay: 2n, tokensPerWeek: 1000n, maxConcurrentRequests: 3 },
      budgets: [
        {
          metric: KeyBudgetStatus_Metric.REQUESTS,
          period: KeyBudgetStatus_Period.DAY,
          limit: 2n,
          used: 2n,
          resetTime: timestampFromDate(new Date(NOW.getTime() + 3_600_000)),
        },
        {
          metric: KeyBudgetStatus_Metric.TOKENS,
          period: KeyBudgetStatus_Period.WEEK,
          limit: 1000n,
          used: 250n,
        },
      ],
    })
    renderKeys(new FakeControl({ apiKeys: [limited] }))

    const budgets = await screen.findAllByTestId("key-budget")
    expect(budgets.map((b) => b.textContent)).toEqual([
      expect.stringMatching(/^2 \/ 2 requests today \(UTC\) · spent until /),
      "250 / 1,000 tokens this week (UTC)",
    ])
    expect(within(screen.getByTestId("key-limits")).getByText("3 at once")).toBeTruthy()
  })

  it("edits a key's limits under the mask `limits`, an emptied field cleared", async () => {
    const limited = laptopWith({ limits: { requestsPerDay: 2n, allowedModels: ["gpt-5*"] } })
    const { fake, user } = renderKeys(new FakeControl({ apiKeys: [limited] }))
    await user.click(await screen.findByRole("button", { name: "Limits of laptop" }))

    const dialog = await screen.findByRole("dialog", { name: "Limits of “laptop”" })
    const perDay = within(dialog).getByLabelText("Requests per day") as HTMLInputElement
    expect(perDay.value).toBe("2")
    await user.clear(perDay)
    await user.type(within(dialog).getByLabelText("Requests per month"), "50")
    await user.click(within(dialog).getByRole("button", { name: "Save limits" }))

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull())
    const [request] = fake.callsOf("updateApiKey") as [
      {
        apiKey: {
          id: string
          limits: { requestsPerDay: bigint; requestsPerMonth: bigint; allowedModels: string[] }
        }
        updateMask: { paths: string[] }
      },
    ]
    expect(request.apiKey.id).toBe("key_laptop")
    expect(request.updateMask.paths).toEqual(["limits"])
    expect(request.apiKey.limits.requestsPerDay).toBe(0n)
    expect(request.apiKey.limits.requestsPerMonth).toBe(50n)
    expect(request.apiKey.limits.allowedModels).toEqual(["gpt-5*"])
  })
})
