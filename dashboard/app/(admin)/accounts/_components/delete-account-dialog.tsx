"use client"

import { ConfirmDialog } from "@/components/confirm-dialog"
import { accountTitle } from "@/lib/accounts"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"

import type { AccountActions } from "./use-account-actions"

/** Asks before deleting, naming the account. */
export function DeleteAccountDialog({
  account,
  open,
  onOpenChange,
  mutation,
}: {
  account: Account
  open: boolean
  onOpenChange: (open: boolean) => void
  mutation: AccountActions["remove"]
}) {
  const name = accountTitle(account)
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Delete ${name}?`}
      description={
        <>
          <p>
            MultiCodex forgets this account and its tokens
            {name !== account.email && account.email ? ` (${account.email})` : ""}, and stops sending requests
            to it at once.
          </p>
          <p>
            To use it again you will need to sign in again or import its auth.json; export it first if you
            want a copy.
          </p>
        </>
      }
      confirmLabel="Delete account"
      pending={mutation.isPending}
      onConfirm={() => mutation.mutate({ id: account.id }, { onSuccess: () => onOpenChange(false) })}
    />
  )
}
