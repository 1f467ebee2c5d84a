// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, within } from "@testing-library/react"
import { describe, expect, it } from "vitest"

import { RequestEntrySchema } from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import { FakeControl } from "@/test/fake-control"
import { makeAccount } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { RequestsTable } from "./requests-table"

const served = create(RequestEntrySchema, {
  time: timestampFromDate(new Date()),
  clientName: "laptop",
  accountId: "acc_ada",
  model: "gpt-5.5",
  statusCode: 200,
  timeToFirstByte: durationFromMs(420),
  duration: durationFromMs(2_350),
  inputTokens: 1234n,
  cachedInputTokens: 1000n,
  outputTokens: 56n,
  reasoningTokens: 12n,
})
const refused = create(RequestEntrySchema, {
  time: timestampFromDate(new Date()),
  accountId: "acc_gone",
  model: "gpt-5.5",
  statusCode: 429,
  errorCode: "usage_limit_reached",
  blockedAccount: true,
})

describe("RequestsTable", () => {
  it("shows each request with the account's label, status, timings and tokens", async () => {
    const fake = new FakeControl({
      requests: [served, refused],
      accounts: [makeAccount({ id: "acc_ada", label: "Ada (work)" })],
    })
    renderWithControl(<RequestsTable />, fake.transport)

    const [ok, failed] = await screen.findAllByTestId("request-row")
    expect(within(ok!).getByText("laptop")).toBeTruthy()
    expect(await within(ok!).findByText("Ada (work)")).toBeTruthy()
    expect(within(ok!).getByText("200")).toBeTruthy()
    expect(within(ok!).getByText("420 ms")).toBeTruthy()
    expect(within(ok!).getByText("2.4 s")).toBeTruthy()
    expect(within(ok!).getByText("1,000 cached")).toBeTruthy()
    expect(within(ok!).getByText("12 reasoning")).toBeTruthy()

    // An account that is gone shows by id; an error is red with its code.
    expect(within(failed!).getByText("acc_gone")).toBeTruthy()
    const status = within(failed!).getByText("429 usage_limit_reached")
    expect(status.getAttribute("data-slot")).toBe("badge")
    expect(status.className).toContain("text-destructive")
    expect(within(failed!).getByText("blocked account")).toBeTruthy()
    expect(within(failed!).getByText("no key")).toBeTruthy()
    expect(fake.callsOf("listRequests")).toEqual([expect.objectContaining({ pageSize: 100 })])
  })

  it("refreshes by itself", async () => {
    const fake = new FakeControl()
    renderWithControl(<RequestsTable refreshMs={40} />, fake.transport)
    expect(await screen.findByText("No requests yet")).toBeTruthy()

    fake.requests = [served]

    expect(await screen.findByTestId("request-row")).toBeTruthy()
  })
})
