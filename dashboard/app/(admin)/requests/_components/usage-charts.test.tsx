// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import { UsageSampleSchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { FakeControl } from "@/test/fake-control"
import { makeAccount } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { UsageCharts } from "./usage-charts"

const sample = (accountId: string, minutesAgo: number, fiveHour?: number, weekly?: number) =>
  create(UsageSampleSchema, {
    accountId,
    time: timestampFromDate(new Date(Date.now() - minutesAgo * 60_000)),
    fiveHourUsedPercent: fiveHour,
    weeklyUsedPercent: weekly,
  })

describe("UsageCharts", () => {
  it("draws one chart per account, titled by label, with the latest values as text", async () => {
    const fake = new FakeControl({
      accounts: [makeAccount({ id: "acc_a", label: "Ada" })],
      samples: [sample("acc_a", 30, 10, 40), sample("acc_b", 20, 55), sample("acc_a", 10, 12.4, 41)],
    })
    renderWithControl(<UsageCharts />, fake.transport)

    const charts = await screen.findAllByTestId("usage-chart")
    expect(charts).toHaveLength(2)
    expect(await within(charts[0]!).findByText("Ada")).toBeTruthy()
    expect(within(charts[0]!).getByText("12%")).toBeTruthy()
    expect(within(charts[0]!).getByText("41%")).toBeTruthy()
    expect(within(charts[0]!).getByText(/latest of 2 samples/)).toBeTruthy()
    expect(within(charts[1]!).getByText("acc_b")).toBeTruthy()
    expect(within(charts[1]!).getByText("—")).toBeTruthy()
  })

  it("offers a time range, 24 hours at first, and remembers the choice", async () => {
    const fake = new FakeControl({ samples: [sample("acc_a", 30, 10, 40)] })
    const user = userEvent.setup()
    const { unmount } = renderWithControl(<UsageCharts />, fake.transport)
    await screen.findAllByTestId("usage-chart")
    const range = () => screen.getByRole("group", { name: "Time range" })

    expect(within(range()).getByRole("button", { name: "24h" }).getAttribute("aria-pressed")).toBe("true")
    await user.click(within(range()).getByRole("button", { name: "7d" }))
    expect(within(range()).getByRole("button", { name: "7d" }).getAttribute("aria-pressed")).toBe("true")

    unmount()
    renderWithControl(<UsageCharts />, fake.transport)
    await screen.findAllByTestId("usage-chart")
    expect(within(range()).getByRole("button", { name: "7d" }).getAttribute("aria-pressed")).toBe("true")
  })

  it("explains an empty history", async () => {
    renderWithControl(<UsageCharts />, new FakeControl().transport)

    expect(await screen.findByText("No usage history yet")).toBeTruthy()
  })
})
