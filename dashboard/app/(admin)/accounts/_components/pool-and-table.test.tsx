// @vitest-environment happy-dom
import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { screen, waitFor, within } from "@testing-library/react"
import userEvent from "@testing-library/user-event"
import { describe, expect, it } from "vitest"

import {
  AccountUsageSchema,
  Account_State,
  UsageWindowSchema,
  type Account,
} from "@/lib/gen/multicodex/control/v1/account_pb"
import { FakeControl } from "@/test/fake-control"
import { makeAccount, makeMeters, meter, meterBlock } from "@/test/fixtures"
import { renderWithControl } from "@/test/render"

import { AccountsView } from "./accounts-view"

// These render with the real clock (the page's useNow), so times are relative to it.
const inMinutes = (minutes: number) => timestampFromDate(new Date(Date.now() + minutes * 60_000))
const usage = (fiveHour: number, weekly: number, { observedMinutesAgo = 1, resetInMinutes = 120 } = {}) =>
  create(AccountUsageSchema, {
    fiveHour: create(UsageWindowSchema, { usedPercent: fiveHour, resetTime: inMinutes(resetInMinutes) }),
    weekly: create(UsageWindowSchema, { usedPercent: weekly, resetTime: inMinutes(5_000) }),
    updateTime: inMinutes(-observedMinutesAgo),
  })
const blocked = (minutes: number) => ({
  state: Account_State.BLOCKED,
  blockExpireTime: inMinutes(minutes),
  blockReason: "usage_limit_reached",
})
const alice = makeAccount({
  id: "a",
  email: "alice@demo.test",
  label: "alice@demo.test",
  usage: usage(20, 10),
})
const bob = makeAccount({
  id: "b",
  email: "bob@demo.test",
  label: "bob@demo.test",
  planType: "pro",
  usage: usage(90, 70),
})
const erin = makeAccount({
  id: "e",
  email: "erin@demo.test",
  label: "erin",
  usage: usage(100, 64, { resetInMinutes: 18 }),
})

function renderPool(accounts: Account[]) {
  const fake = new FakeControl({ accounts })
  const user = userEvent.setup()
  const view = renderWithControl(<AccountsView watch={{ delay: () => 5 }} />, fake.transport)
  return { fake, user, ...view }
}

describe("the pool at the top of Accounts", () => {
  it("counts usable accounts, names the next one back, and sums the headroom", async () => {
    renderPool([alice, bob, { ...erin, ...blocked(18) }])

    const summary = await screen.findByTestId("pool-summary")
    expect(within(summary).getByText("2 of 3")).toBeTruthy()
    expect(within(summary).getByText("1 blocked")).toBeTruthy()
    expect(within(summary).getByText(/^erin, in 1[78]m$/)).toBeTruthy()
    // 5-hour: (80 + 10 + 0 for blocked erin) / 3 = 30% left; weekly: (90 + 30 + 0) / 3 = 40%.
    expect(within(summary).getByText("30% left")).toBeTruthy()
    expect(within(summary).getByText("40% left")).toBeTruthy()
    expect(screen.queryByTestId("pool-banner")).toBeNull()
  })

  it("puts up a red banner saying clients get 429, until when, and who resets first, when none is usable", async () => {
    renderPool([
      { ...alice, ...blocked(120) },
      { ...erin, ...blocked(18) },
    ])

    const banner = await screen.findByTestId("pool-banner")
    expect(banner.getAttribute("role")).toBe("alert")
    expect(banner.textContent).toMatch(/^Clients get 429 until (?:[A-Z][a-z]{2} \d{1,2}, )?\d\d:\d\d; erin resets first\./)
  })

  it("says 503 when every account needs a new sign-in", async () => {
    renderPool([{ ...alice, state: Account_State.REAUTH_REQUIRED, reauthReason: "refresh_token_reused" }])

    expect((await screen.findByTestId("pool-banner")).textContent).toContain(
      "Clients get 503: no account can serve requests.1 account needs a new sign-in.",
    )
  })
})

describe("usage you can trust", () => {
  it("marks a stale sample, and counts a window whose reset has passed as 0%", async () => {
    renderPool([makeAccount({ usage: usage(100, 30, { observedMinutesAgo: 40, resetInMinutes: -3 }) })])

    const card = await screen.findByTestId("account-card")
    expect(within(card).getByTestId("usage-age").textContent).toBe(
      "Usage checked 40 minutes ago · stale, may have changed since",
    )
    expect(within(card).getByText("0% used")).toBeTruthy()
    expect(within(card).getByText(/^Reset at \d\d:\d\d: counts as 0% until the next check$/)).toBeTruthy()
  })

  it("draws bars red only for a blocked account", async () => {
    renderPool([bob, { ...erin, ...blocked(30) }])

    const tones = async (name: string) =>
      within(await screen.findByRole("group", { name }))
        .getAllByTestId("usage-meter")
        .map((m) => m.dataset.tone)
    expect(await tones("bob@demo.test")).toEqual(["warning", "default"])
    expect(await tones("erin")).toEqual(["destructive", "destructive"])
  })
})

describe("the table view", () => {
  it("lists every account in a sortable, filterable table, and remembers the choice", async () => {
    const { user, unmount } = renderPool([alice, bob, { ...erin, ...blocked(30) }])
    await screen.findAllByTestId("account-card")

    await user.click(screen.getByRole("button", { name: "Table" }))
    const rows = () => screen.getAllByTestId("account-row").map((row) => row.getAttribute("aria-label"))
    // By state first: the usable ones in list order, then the blocked one.
    expect(rows()).toEqual(["alice@demo.test", "bob@demo.test", "erin"])

    await user.click(screen.getByRole("button", { name: /^5-hour/ }))
    expect(rows()).toEqual(["alice@demo.test", "bob@demo.test", "erin"])
    await user.click(screen.getByRole("button", { name: /^5-hour/ }))
    expect(rows()).toEqual(["erin", "bob@demo.test", "alice@demo.test"])
    expect(screen.getByRole("columnheader", { name: /5-hour/ }).getAttribute("aria-sort")).toBe("descending")

    await user.type(screen.getByRole("searchbox", { name: "Filter accounts" }), "pro")
    expect(rows()).toEqual(["bob@demo.test"])
    await user.clear(screen.getByRole("searchbox", { name: "Filter accounts" }))
    await user.selectOptions(screen.getByRole("combobox", { name: "Show accounts that are" }), "blocked")
    expect(rows()).toEqual(["erin"])
    expect(
      within(screen.getByRole("row", { name: "erin" })).getByRole("button", { name: "Unblock" }),
    ).toBeTruthy()

    unmount()
    renderPool([alice])
    await waitFor(() => expect(screen.getAllByTestId("account-row")).toHaveLength(1))
    expect(screen.getByRole("button", { name: "Table" }).getAttribute("aria-pressed")).toBe("true")
  })

  it("says so when the filter matches nothing, and clears it", async () => {
    const { user } = renderPool([alice, bob])
    await screen.findAllByTestId("account-card")

    await user.type(screen.getByRole("searchbox", { name: "Filter accounts" }), "nobody")
    expect(screen.getByText("No account matches the filter")).toBeTruthy()
    await user.click(screen.getByRole("button", { name: "Clear the filter" }))
    expect(screen.getAllByTestId("account-card")).toHaveLength(2)
  })
})

describe("every usage shape", () => {
  // minutes from now on the real clock (these tests render with it), as the fixtures' meters are built on NOW.
  const fromNow = (minutes: number) =>
    Math.round((Date.now() - new Date("2026-11-24T12:00:00Z").getTime()) / 60_000) + minutes
  const carol = makeAccount({
    id: "c",
    email: "carol@demo.test",
    label: "carol",
    planType: "free",
    usage: makeMeters(meter.weekly(70, fromNow(4000))),
  })
  const dana = makeAccount({
    id: "d",
    email: "dana@demo.test",
    label: "dana",
    planType: "enterprise",
    usage: makeMeters(meter.credits(120, 500, fromNow(20_000))),
  })
  const frank = makeAccount({
    id: "f",
    email: "frank@demo.test",
    label: "frank",
    planType: "prolite",
    usage: makeMeters(meter.weekly(100, fromNow(2880)), meter.reserve(35, fromNow(7200))),
    ...blocked(2880),
    blocks: [meterBlock("weekly", fromNow(2880))],
  })
  for (const account of [carol, dana, frank]) {
    account.usage!.updateTime = inMinutes(-1)
  }
  const kinds = (row: HTMLElement) =>
    within(row)
      .queryAllByTestId("usage-meter")
      .map((m) => `${m.dataset.kind}:${m.dataset.tone}`)

  it("cards show each account's own meters, and what a reserve still serves", async () => {
    renderPool([carol, dana, frank])

    expect(kinds(await screen.findByRole("group", { name: "carol" }))).toEqual(["weekly:default"])
    const danaCard = screen.getByRole("group", { name: "dana" })
    expect(kinds(danaCard)).toEqual(["credits:default"])
    expect(within(danaCard).getByText("Credit budget")).toBeTruthy()
    expect(within(danaCard).getByText("120.00 of 500.00 credits spent")).toBeTruthy()
    const frankCard = screen.getByRole("group", { name: "frank" })
    expect(kinds(frankCard)).toEqual(["weekly:destructive", "reserve:default"])
    expect(within(frankCard).getByText("Reserve for gpt-5.6-luna")).toBeTruthy()
    expect(within(frankCard).getByTestId("reserve-note").textContent).toBe(
      "Its reserve still serves gpt-5.6-luna (model id gpt-reserve)",
    )
    const summary = screen.getByTestId("pool-summary")
    expect(within(summary).getByText("2 of 3")).toBeTruthy()
    expect(within(summary).getByText("1 blocked · 1 on a reserve only")).toBeTruthy()
    expect(within(summary).getByText("Credit budget headroom")).toBeTruthy()
    expect(within(summary).getByText("Reserve headroom")).toBeTruthy()
  })

  it("the table lists the meters beyond the two windows in their own column", async () => {
    const { user } = renderPool([carol, dana, frank])
    await screen.findAllByTestId("account-card")

    await user.click(screen.getByRole("button", { name: "Table" }))

    expect(kinds(screen.getByRole("row", { name: "carol" }))).toEqual([])
    expect(within(screen.getByRole("row", { name: "carol" })).getAllByText("—")).toHaveLength(2)
    expect(kinds(screen.getByRole("row", { name: "dana" }))).toEqual(["credits:default"])
    expect(kinds(screen.getByRole("row", { name: "frank" }))).toEqual(["reserve:default"])
    expect(within(screen.getByRole("row", { name: "frank" })).getByTestId("reserve-note")).toBeTruthy()
  })
})

describe("Sign in again", () => {
  it("is offered on a card that needs a new sign-in, and leads to the sign-in for that account", async () => {
    renderPool([
      alice,
      { ...bob, state: Account_State.REAUTH_REQUIRED, reauthReason: "refresh_token_expired" },
    ])

    const card = await screen.findByRole("group", { name: "bob@demo.test" })
    const link = within(card).getByRole("link", { name: "Sign in again" })
    expect(link.getAttribute("href")).toBe("/accounts/add?renew=b")
    expect(
      within(screen.getByRole("group", { name: "alice@demo.test" })).queryByRole("link", {
        name: "Sign in again",
      }),
    ).toBeNull()
  })
})
