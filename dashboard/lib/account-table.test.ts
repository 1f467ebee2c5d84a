import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { describe, expect, it } from "vitest"

import { filterAccounts, sortAccounts, standing } from "@/lib/account-table"
import { Account_State } from "@/lib/gen/multicodex/control/v1/account_pb"
import { NOW, makeAccount, makeUsage, minutesFromNow } from "@/test/fixtures"

const blocked = (minutes: number) => ({
  state: Account_State.BLOCKED,
  blockExpireTime: timestampFromDate(minutesFromNow(minutes)),
})
const ada = makeAccount({
  id: "ada",
  email: "ada@example.com",
  label: "Ada",
  planType: "plus",
  priority: 2,
  usage: makeUsage([30, 60], [10, 900]),
})
const bo = makeAccount({
  id: "bo",
  email: "bo@example.com",
  label: "Bo",
  planType: "pro",
  priority: 0,
  usage: makeUsage([80, 60], [50, 900]),
  lastUsedTime: timestampFromDate(minutesFromNow(-5)),
})
const cy = makeAccount({
  id: "cy",
  email: "cy@team.test",
  label: "Cy",
  planType: "team",
  priority: 1,
  ...blocked(40),
})
const di = makeAccount({
  id: "di",
  email: "di@example.com",
  label: "Di",
  state: Account_State.REAUTH_REQUIRED,
  usage: makeUsage([100, -1], [20, 900]),
})
const ed = makeAccount({ id: "ed", email: "ed@example.com", label: "Ed", enabled: false, ...blocked(10) })
const all = [ada, bo, cy, di, ed]
const ids = (list: { id: string }[]) => list.map((a) => a.id)

describe("standing", () => {
  it("puts disabled before everything, then re-auth, then blocked", () => {
    expect(all.map((a) => standing(a, NOW))).toEqual(["usable", "usable", "blocked", "reauth", "disabled"])
  })
})

describe("filterAccounts", () => {
  it("filters by where accounts stand", () => {
    expect(ids(filterAccounts(all, { text: "", state: "usable" }, NOW))).toEqual(["ada", "bo"])
    expect(ids(filterAccounts(all, { text: "", state: "blocked" }, NOW))).toEqual(["cy"])
    expect(ids(filterAccounts(all, { text: "", state: "all" }, NOW))).toEqual(ids(all))
  })

  it("matches text in the label, email, plan or id, case-insensitively", () => {
    expect(ids(filterAccounts(all, { text: "TEAM", state: "all" }, NOW))).toEqual(["cy"])
    expect(ids(filterAccounts(all, { text: "pro", state: "all" }, NOW))).toEqual(["bo"])
    expect(ids(filterAccounts(all, { text: " ada ", state: "all" }, NOW))).toEqual(["ada"])
    expect(ids(filterAccounts(all, { text: "ada", state: "blocked" }, NOW))).toEqual([])
  })
})

describe("sortAccounts", () => {
  it("sorts by name both ways", () => {
    expect(ids(sortAccounts(all, { key: "account", direction: "asc" }, NOW))).toEqual([
      "ada",
      "bo",
      "cy",
      "di",
      "ed",
    ])
    expect(ids(sortAccounts(all, { key: "account", direction: "desc" }, NOW))).toEqual([
      "ed",
      "di",
      "cy",
      "bo",
      "ada",
    ])
  })

  it("sorts usage by what counts now (a passed reset is 0%), accounts without usage last either way", () => {
    expect(ids(sortAccounts(all, { key: "fiveHour", direction: "desc" }, NOW))).toEqual([
      "bo",
      "ada",
      "di",
      "cy",
      "ed",
    ])
    expect(ids(sortAccounts(all, { key: "fiveHour", direction: "asc" }, NOW))).toEqual([
      "di",
      "ada",
      "bo",
      "cy",
      "ed",
    ])
  })

  it("sorts by state: usable, blocked (first to free up first), re-auth, disabled", () => {
    const later = makeAccount({ id: "late", ...blocked(90) })
    expect(ids(sortAccounts([later, ...all], { key: "state", direction: "asc" }, NOW))).toEqual([
      "ada",
      "bo",
      "cy",
      "late",
      "di",
      "ed",
    ])
  })

  it("sorts by priority and by last use, keeping the list order on ties", () => {
    expect(ids(sortAccounts(all, { key: "priority", direction: "asc" }, NOW))).toEqual([
      "bo",
      "di",
      "ed",
      "cy",
      "ada",
    ])
    expect(ids(sortAccounts(all, { key: "lastUsed", direction: "desc" }, NOW))).toEqual([
      "bo",
      "ada",
      "cy",
      "di",
      "ed",
    ])
  })

  it("does not change the list it was given", () => {
    const list = [...all]
    sortAccounts(list, { key: "account", direction: "desc" }, NOW)
    expect(ids(list)).toEqual(ids(all))
  })
})
