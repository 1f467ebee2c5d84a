"use client"

import { useMutation, useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { toast } from "sonner"

import { removeAccount, upsertAccount } from "@/lib/accounts-cache"
import { accountTitle, exportFileName } from "@/lib/accounts"
import { downloadText } from "@/lib/clipboard"
import { describeError } from "@/lib/errors"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import {
  deleteAccount,
  exportAccount,
  refreshAccountUsage,
  unblockAccount,
  updateAccount,
} from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"

/**
 * The card's actions on one account. Each writes the account the server returns into the cached list at once
 * (WatchAccounts confirms it a moment later), and says how it went in a toast, with the server's own words on failure.
 */
export function useAccountActions(account: Account) {
  const transport = useTransport()
  const queryClient = useQueryClient()
  const name = accountTitle(account)
  const keep = ({ account: updated }: { account?: Account }) => {
    if (updated) {
      upsertAccount(queryClient, transport, updated)
    }
  }
  const failed = (what: string) => (error: unknown) =>
    toast.error(`Could not ${what} ${name}`, { description: describeError(error).message })

  const setEnabled = useMutation(updateAccount, {
    onSuccess: (response, request) => {
      keep(response)
      toast.success(request.account?.enabled ? `${name} enabled` : `${name} disabled`, {
        description: request.account?.enabled ? undefined : "MultiCodex no longer sends requests to it.",
      })
    },
    onError: failed("update"),
  })
  const edit = useMutation(updateAccount, {
    onSuccess: (response) => {
      keep(response)
      toast.success(`Saved ${response.account ? accountTitle(response.account) : name}`)
    },
    onError: failed("save"),
  })
  const unblock = useMutation(unblockAccount, {
    onSuccess: (response) => {
      keep(response)
      toast.success(`${name} unblocked`, { description: "It is eligible for requests again." })
    },
    onError: failed("unblock"),
  })
  const refreshUsage = useMutation(refreshAccountUsage, {
    onSuccess: (response) => {
      keep(response)
      const probeError = response.account?.usage?.probeError
      if (probeError) {
        toast.warning(`Usage check for ${name} failed`, { description: probeError })
      } else {
        toast.success(`Usage refreshed for ${name}`)
      }
    },
    onError: failed("refresh usage for"),
  })
  const exportAuth = useMutation(exportAccount, {
    onSuccess: (response) => {
      downloadText(exportFileName(account), response.authJson)
      toast.success(`Exported auth.json for ${name}`, {
        description: "It holds live tokens: keep it private.",
      })
    },
    onError: failed("export"),
  })
  const remove = useMutation(deleteAccount, {
    onSuccess: () => {
      removeAccount(queryClient, transport, account.id)
      toast.success(`Deleted ${name}`)
    },
    onError: failed("delete"),
  })

  return { setEnabled, edit, unblock, refreshUsage, exportAuth, remove }
}

export type AccountActions = ReturnType<typeof useAccountActions>
