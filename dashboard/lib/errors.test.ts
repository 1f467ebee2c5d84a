import { Code, ConnectError } from "@connectrpc/connect"
import { describe, expect, it } from "vitest"

import { describeError, errorText, isTransient, isUnauthenticated } from "@/lib/errors"

describe("describeError", () => {
  it("keeps the server's message for a wrong admin token", () => {
    const error = new ConnectError(
      "Wrong x-admin-token: it does not match the server's ADMIN_TOKEN.",
      Code.Unauthenticated,
    )
    expect(describeError(error)).toEqual({
      code: Code.Unauthenticated,
      title: "Admin token not accepted",
      message: "Wrong x-admin-token: it does not match the server's ADMIN_TOKEN.",
    })
  })

  it("explains a missing token when the server sent no message", () => {
    expect(describeError(new ConnectError("", Code.Unauthenticated)).message).toBe(
      "This server requires its admin token (ADMIN_TOKEN).",
    )
  })

  it("replaces a bare HTTP status from a proxy with a sentence", () => {
    const error = new ConnectError("HTTP 502", Code.Unavailable)
    expect(describeError(error)).toMatchObject({
      title: "MultiCodex Control is unreachable",
      message: expect.stringContaining("Check that both are running"),
    })
  })

  it("tells the user to go through the Edge when the address does not answer gRPC-Web", () => {
    expect(describeError(new ConnectError("HTTP 404", Code.Unimplemented))).toMatchObject({
      title: "Not a MultiCodex front door",
      message: expect.stringContaining("through the Edge"),
    })
  })

  it("recognises a browser network failure", () => {
    expect(describeError(new TypeError("Failed to fetch")).title).toBe("Cannot reach the server")
  })

  it("keeps the message of errors it has no title for", () => {
    expect(describeError(new ConnectError("boom", Code.DataLoss))).toEqual({
      code: Code.DataLoss,
      title: "Something went wrong",
      message: "boom",
    })
  })

  it("handles values that are not errors", () => {
    expect(describeError("nope").title).toBe("Something went wrong")
  })
})

describe("errorText", () => {
  it("joins title and message for a toast", () => {
    expect(errorText(new ConnectError("Account acc_1 not found.", Code.NotFound))).toBe(
      "Not found: Account acc_1 not found.",
    )
  })
})

describe("isUnauthenticated / isTransient", () => {
  it("tells auth failures from transient ones", () => {
    const auth = new ConnectError("no", Code.Unauthenticated)
    const down = new ConnectError("HTTP 503", Code.Unavailable)
    expect(isUnauthenticated(auth)).toBe(true)
    expect(isUnauthenticated(down)).toBe(false)
    expect(isTransient(down)).toBe(true)
    expect(isTransient(auth)).toBe(false)
    expect(isTransient(new ConnectError("bad", Code.InvalidArgument))).toBe(false)
  })
})
