// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it, vi } from "vitest"

import { RequestEntrySchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import type { RequestFilters } from "@/lib/requests"
import { FakeControl } from "@/test/fake-control"
import { makeAccount } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { RequestsTable } from "./requests-table"

const failedOver = create(RequestEntrySchema, {
  requestId: "req_failover",
  time: timestampFromDate(new Date()),
  clientName: "laptop",
  transport: "websocket",
  accountId: "acc_erin",
  accountEmail: "erin@example.com",
  model: "gpt-5.5",
  statusCode: 200,
  answered: true,
  timeToFirstByte: durationFromMs(420),
  duration: durationFromMs(2_350),
  inputTokens: 1234n,
  cachedInputTokens: 1000n,
  outputTokens: 56n,
  reasoningTokens: 12n,
  attempts: [
    {
      attempt: 1,
      accountId: "acc_alice",
      accountEmail: "alice@example.com",
      statusCode: 429,
      errorCode: "usage_limit_reached",
      blockedAccount: true,
      duration: durationFromMs(80),
    },
    {
      attempt: 2,
      accountId: "acc_erin",
      accountEmail: "erin@example.com",
      statusCode: 200,
      duration: durationFromMs(2_200),
    },
  ],
})
const refused = create(RequestEntrySchema, {
  requestId: "req_refused",
  time: timestampFromDate(new Date()),
  transport: "http",
  model: "gpt-5.5",
  statusCode: 429,
  errorCode: "usage_limit_reached",
  answered: true,
})

function renderTable(
  fake: FakeControl,
  filters: RequestFilters = {},
  onFiltersChange = vi.fn(),
  pageSize?: number,
) {
  return renderWithControl(
    <RequestsTable filters={filters} onFiltersChange={onFiltersChange} pageSize={pageSize} />,
    fake.transport,
  )
}

describe("RequestsTable", () => {
  it("shows one row per client request: the account that answered, the failover chain, what the client got", async () => {
    const fake = new FakeControl({
      requests: [failedOver, refused],
      accounts: [
        makeAccount({ id: "acc_erin", label: "Erin (team)" }),
        makeAccount({ id: "acc_alice", label: "Alice" }),
      ],
    })
    renderTable(fake)

    const [ok, failed] = await screen.findAllByTestId("request-row")
    expect(within(ok!).getByText("laptop")).toBeTruthy()
    expect(await within(ok!).findByText("Erin (team)")).toBeTruthy()
    expect(within(ok!).getByTestId("failover-chain").textContent).toBe("2 attempts: Alice → Erin (team)")
    expect(within(ok!).getByText("200")).toBeTruthy()
    expect(within(ok!).getByText("420 ms")).toBeTruthy()
    expect(within(ok!).getByText("2.4 s")).toBeTruthy()
    expect(within(ok!).getByText("1,000 cached")).toBeTruthy()
    expect(within(ok!).getByText("12 reasoning")).toBeTruthy()
    // Its transport: a WebSocket request says so; an HTTP one, the usual case, shows nothing extra.
    expect(within(ok!).getByTestId("transport-websocket").textContent).toBe("WS")
    expect(within(failed!).queryByTestId("transport-websocket")).toBeNull()

    // No account could take it: the reason in words, its code in the tooltip.
    expect(within(failed!).getByText("no account")).toBeTruthy()
    const badge = within(failed!).getByText("429")
    expect(badge.className).toContain("text-destructive")
    const reason = within(failed!).getByTestId("reason")
    expect(reason.textContent).toBe("Usage limit reached")
    expect(reason.getAttribute("data-code")).toBe("usage_limit_reached")
    expect(within(failed!).getByText("no key")).toBeTruthy()
  })

  it("expands a request into its attempts", async () => {
    const fake = new FakeControl({ requests: [failedOver] })
    const user = userEvent.setup()
    renderTable(fake)

    await user.click(await screen.findByRole("button", { name: "Show the attempts of this request" }))

    const attempts = screen.getAllByTestId("attempt")
    expect(attempts).toHaveLength(2)
    expect(within(attempts[0]!).getByText("alice@example.com")).toBeTruthy()
    expect(within(attempts[0]!).getByText("429")).toBeTruthy()
    expect(within(attempts[0]!).getByText("blocked the account")).toBeTruthy()
    expect(within(attempts[1]!).getByText("erin@example.com")).toBeTruthy()
    expect(within(attempts[1]!).getByText("200")).toBeTruthy()
  })

  it("asks Control with the filters, and reports a filter change", async () => {
    const fake = new FakeControl({
      requests: [failedOver],
      accounts: [makeAccount({ id: "acc_alice", label: "Alice" })],
    })
    const onChange = vi.fn()
    const user = userEvent.setup()
    renderTable(fake, { key: "laptop", status: "error", range: "24h" }, onChange)
    await screen.findByTestId("request-row")

    expect(fake.callsOf("listRequests")[0]).toMatchObject({
      clientName: "laptop",
      status: "error",
      pageSize: 50,
    })
    expect(fake.callsOf("listRequests")[0]).toHaveProperty("startTime")
    await user.selectOptions(await screen.findByRole("combobox", { name: "Account" }), "acc_alice")
    expect(onChange).toHaveBeenLastCalledWith({
      key: "laptop",
      status: "error",
      range: "24h",
      account: "acc_alice",
    })
    await user.click(screen.getByRole("button", { name: "Clear filters" }))
    expect(onChange).toHaveBeenLastCalledWith({})
  })

  it("says when no request matches the filters", async () => {
    renderTable(new FakeControl({ requests: [failedOver] }), { key: "nobody" })

    expect(await screen.findByText("No request matches these filters")).toBeTruthy()
  })

  it("pages to older requests and back", async () => {
    const many = Array.from({ length: 3 }, (_, i) =>
      create(RequestEntrySchema, {
        requestId: `req_${i}`,
        time: timestampFromDate(new Date()),
        statusCode: 200,
        model: `m${i}`,
      }),
    )
    const user = userEvent.setup()
    renderTable(new FakeControl({ requests: many }), {}, vi.fn(), 2)
    expect(await screen.findAllByTestId("request-row")).toHaveLength(2)

    await user.click(screen.getByRole("button", { name: "Older" }))
    expect(await screen.findByText("Page 2")).toBeTruthy()
    expect(
      (await screen.findAllByTestId("request-row")).map((r) => r.getAttribute("data-request-id")),
    ).toEqual(["req_2"])

    await user.click(screen.getByRole("button", { name: "Newer" }))
    expect(await screen.findByText("Page 1")).toBeTruthy()
  })

  it("refreshes by itself", async () => {
    const fake = new FakeControl()
    renderWithControl(<RequestsTable filters={{}} onFiltersChange={vi.fn()} refreshMs={40} />, fake.transport)
    expect(await screen.findByText("No requests yet")).toBeTruthy()

    fake.requests = [failedOver]

    expect(await screen.findByTestId("request-row")).toBeTruthy()
  })
})
