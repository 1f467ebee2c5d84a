import { createRouterTransport } from "@connectrpc/connect"
import { QueryClient } from "@tanstack/react-query"
import { describe, expect, it } from "vitest"

import { accountsQueryKey, removeAccount, setAccounts, upsertAccount } from "@/lib/accounts-cache"
import { makeAccount } from "@/test/fixtures"

const transport = createRouterTransport(() => {})
const ada = makeAccount()
const grace = makeAccount({ id: "acc_grace", email: "grace@example.com" })
const ids = (client: QueryClient) =>
  client.getQueryData(accountsQueryKey(transport))?.accounts.map((a) => a.id)

describe("the cached account list", () => {
  it("is replaced whole by a watch message", () => {
    const client = new QueryClient()
    setAccounts(client, transport, [ada, grace])
    expect(ids(client)).toEqual([ada.id, grace.id])
  })

  it("takes an updated account in place, and appends a new one", () => {
    const client = new QueryClient()
    setAccounts(client, transport, [ada, grace])

    upsertAccount(client, transport, { ...ada, label: "Work" })
    upsertAccount(client, transport, makeAccount({ id: "acc_new" }))

    expect(ids(client)).toEqual([ada.id, grace.id, "acc_new"])
    expect(client.getQueryData(accountsQueryKey(transport))?.accounts[0]?.label).toBe("Work")
  })

  it("starts a list when none is cached yet", () => {
    const client = new QueryClient()
    upsertAccount(client, transport, ada)
    expect(ids(client)).toEqual([ada.id])
  })

  it("drops a deleted account, and leaves an absent list absent", () => {
    const client = new QueryClient()
    removeAccount(client, transport, ada.id)
    expect(ids(client)).toBeUndefined()

    setAccounts(client, transport, [ada, grace])
    removeAccount(client, transport, ada.id)
    expect(ids(client)).toEqual([grace.id])
  })
})
