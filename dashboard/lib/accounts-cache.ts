import { create } from "@bufbuild/protobuf"
import type { Transport } from "@connectrpc/connect"
import { createConnectQueryKey } from "@connectrpc/connect-query"
import type { QueryClient } from "@tanstack/react-query"

import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import { ListAccountsResponseSchema } from "@/lib/gen/multicodex/control/v1/account_service_pb"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"

/**
 * The one cached account list (the key `useQuery(listAccounts, {})` uses), written by WatchAccounts and by
 * every account mutation, so each page that shows accounts sees the same list.
 */
export function accountsQueryKey(transport: Transport) {
  return createConnectQueryKey({ schema: listAccounts, transport, input: {}, cardinality: "finite" })
}

/** Every cached account list, whatever its transport: for invalidation. */
export const allAccountListsKey = createConnectQueryKey({ schema: listAccounts, cardinality: undefined })

/** Replaces the list, as a WatchAccounts message does. */
export function setAccounts(queryClient: QueryClient, transport: Transport, accounts: Account[]): void {
  queryClient.setQueryData(accountsQueryKey(transport), create(ListAccountsResponseSchema, { accounts }))
}

/** Puts an account the server returned into the list: replaced in place, or appended when new. */
export function upsertAccount(queryClient: QueryClient, transport: Transport, account: Account): void {
  queryClient.setQueryData(accountsQueryKey(transport), (old) => {
    const accounts = old?.accounts ?? []
    const index = accounts.findIndex((a) => a.id === account.id)
    const next = index < 0 ? [...accounts, account] : accounts.map((a, i) => (i === index ? account : a))
    return create(ListAccountsResponseSchema, { accounts: next })
  })
}

/** Takes a deleted account out of the list. */
export function removeAccount(queryClient: QueryClient, transport: Transport, id: string): void {
  queryClient.setQueryData(accountsQueryKey(transport), (old) =>
    old ? create(ListAccountsResponseSchema, { accounts: old.accounts.filter((a) => a.id !== id) }) : old,
  )
}
