// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, waitFor, within } from "@testing-library/react"
import { describe, expect, it } from "vitest"

import { WebSocketSessionSchema } from "@/lib/gen/multicodex/control/v1/websocket_session_service_pb"
import { FakeControl } from "@/test/fake-control"
import { makeAccount } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { LiveWebSocketSessions } from "./live-websocket-sessions"

const minutesAgo = (minutes: number) => timestampFromDate(new Date(Date.now() - minutes * 60_000 - 5_000))

const codex = create(WebSocketSessionSchema, {
  id: "ws_codex",
  edgeId: "edge_1",
  accountId: "acc_ada",
  accountEmail: "ada@example.com",
  keyName: "laptop",
  openTime: minutesAgo(12),
  responses: 7,
  upstreamTransport: "websocket",
})
const fresh = create(WebSocketSessionSchema, {
  id: "ws_fresh",
  edgeId: "edge_1",
  openTime: minutesAgo(0),
  upstreamTransport: "websocket",
})

describe("LiveWebSocketSessions", () => {
  it("counts and lists the open sockets: account, key, age, responses", async () => {
    const fake = new FakeControl({
      webSocketSessions: [codex, fresh],
      accounts: [makeAccount({ id: "acc_ada", label: "Ada (team)" })],
    })
    renderWithControl(<LiveWebSocketSessions />, fake.transport)

    await waitFor(() => expect(screen.getByTestId("live-websocket-count").textContent).toBe("2"))
    const [first, second] = screen.getAllByTestId("live-websocket")
    expect(await within(first!).findByText("Ada (team)")).toBeTruthy()
    expect(within(first!).getByText("laptop")).toBeTruthy()
    expect(within(first!).getByText("12m")).toBeTruthy()
    expect(within(first!).getByText("7")).toBeTruthy()
    // Not used yet: no account chosen, opened on an open /v1.
    expect(within(second!).getByText("not chosen yet")).toBeTruthy()
    expect(within(second!).getByText("no key")).toBeTruthy()
    expect(within(second!).getByText("<1m")).toBeTruthy()
  })

  it("follows Control: a socket that closed leaves the list at the next poll", async () => {
    const fake = new FakeControl({ webSocketSessions: [codex] })
    renderWithControl(<LiveWebSocketSessions refreshMs={50} />, fake.transport)
    expect(await screen.findByText("ada@example.com")).toBeTruthy()

    fake.webSocketSessions = []

    expect(await screen.findByText("No client has a WebSocket open.")).toBeTruthy()
    expect(screen.getByTestId("live-websocket-count").textContent).toBe("0")
  })
})
