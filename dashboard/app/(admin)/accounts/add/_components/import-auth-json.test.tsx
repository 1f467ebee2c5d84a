// @vitest-environment happy-dom
import { fireEvent, screen, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import type { ImportAccountsRequest } from "@/lib/gen/multicodex/control/v1/account_service_pb"
import { FakeControl } from "@/test/fake-control"
import { renderWithControl } from "@/test/render"

import { ImportAuthJson } from "./import-auth-json"

describe("ImportAuthJson", () => {
  it("imports several pasted files and picked files, with a result per file", async () => {
    const fake = new FakeControl()
    const user = userEvent.setup()
    renderWithControl(<ImportAuthJson />, fake.transport)

    fireEvent.change(screen.getByLabelText("auth.json contents"), {
      target: { value: '{"email": "ada@example.com"}\n\n{"tokens": {}}' },
    })
    const file = new File(['{"email": "grace@example.com"}'], "grace-auth.json", { type: "application/json" })
    await user.upload(screen.getByLabelText("Or choose files"), file)
    await user.click(screen.getByRole("button", { name: "Import 3 files" }))

    const results = await screen.findAllByTestId("import-result")
    expect(results).toHaveLength(3)
    expect(within(results[0]!).getByText("Pasted text #1")).toBeTruthy()
    expect(within(results[0]!).getByText(/Added ada@example\.com/)).toBeTruthy()
    expect(
      within(results[1]!).getByText("auth.json has no tokens: expected a Codex CLI auth.json."),
    ).toBeTruthy()
    expect(within(results[2]!).getByText("grace-auth.json")).toBeTruthy()
    expect(screen.getByText("2 of 3 imported")).toBeTruthy()
    const [request] = fake.callsOf("importAccounts") as ImportAccountsRequest[]
    expect(request?.authJsons).toHaveLength(3)
  })

  it("has nothing to import until something is pasted or picked", () => {
    renderWithControl(<ImportAuthJson />, new FakeControl().transport)

    expect((screen.getByRole("button", { name: "Import" }) as HTMLButtonElement).disabled).toBe(true)
  })
})
