// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { screen, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import { GetUsageOverviewResponseSchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { FakeControl } from "@/test/fake-control"
import { makeAccount } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { UsageOverview } from "./usage-overview"

const overview = create(GetUsageOverviewResponseSchema, {
  total: {
    requests: 12n,
    errors: 2n,
    inputTokens: 4000n,
    cachedInputTokens: 1000n,
    outputTokens: 300n,
    cacheHitRate: 0.25,
  },
  accounts: [
    {
      id: "acc_a",
      displayName: "ada@example.com",
      figures: { requests: 13n, inputTokens: 4000n, cacheHitRate: 0.25 },
    },
  ],
  clientKeys: [
    { id: "laptop", displayName: "laptop", figures: { requests: 10n, inputTokens: 100n, cacheHitRate: 0.5 } },
    { id: "", displayName: "", figures: { requests: 2n, errors: 2n } },
  ],
  models: [{ id: "gpt-5.5", displayName: "gpt-5.5", figures: { requests: 12n } }],
})

describe("UsageOverview", () => {
  it("shows the totals and each account, key and model with its cache hit rate", async () => {
    const fake = new FakeControl({ overview, accounts: [makeAccount({ id: "acc_a", label: "Ada" })] })
    renderWithControl(<UsageOverview />, fake.transport)

    const totals = await screen.findByTestId("overview-totals")
    expect(within(totals).getByText("12")).toBeTruthy()
    expect(within(totals).getByText("25 %")).toBeTruthy()
    const accounts = screen.getByRole("table", { name: "Per account" })
    expect(await within(accounts).findByText("Ada")).toBeTruthy()
    const keys = screen.getByRole("table", { name: "Per key" })
    expect(within(keys).getByText("laptop")).toBeTruthy()
    expect(within(keys).getByText("50 %")).toBeTruthy()
    expect(within(keys).getByText("no key")).toBeTruthy()
    expect(within(screen.getByRole("table", { name: "Per model" })).getByText("gpt-5.5")).toBeTruthy()
  })

  it("asks for 24 hours at first, then the chosen range", async () => {
    const fake = new FakeControl({ overview })
    const user = userEvent.setup()
    renderWithControl(<UsageOverview />, fake.transport)
    await screen.findByTestId("overview-totals")

    await user.click(
      within(screen.getByRole("group", { name: "Overview range" })).getByRole("button", { name: "28d" }),
    )

    const windows = fake
      .callsOf("getUsageOverview")
      .map((r) => Number((r as { window: { seconds: bigint } }).window.seconds))
    expect(windows[0]).toBe(86_400)
    expect(windows.at(-1)).toBe(28 * 86_400)
  })
})
