"use client"

import { useId, useState } from "react"
import Link from "next/link"
import {
  DownloadIcon,
  Loader2Icon,
  LogInIcon,
  PencilIcon,
  RefreshCwIcon,
  ShieldCheckIcon,
  Trash2Icon,
} from "lucide-react"

import { Button } from "@/components/ui/button"
import { Label } from "@/components/ui/label"
import { Switch } from "@/components/ui/switch"
import { accountTitle, isBlocked } from "@/lib/accounts"
import { Account_State, type Account } from "@/lib/gen/multicodex/control/v1/account_pb"

import { DeleteAccountDialog } from "./delete-account-dialog"
import { EditAccountDialog } from "./edit-account-dialog"
import { useAccountActions, type AccountActions as Actions } from "./use-account-actions"

/**
 * The card's actions, each with its name on it: the enabled switch, then what the account needs now (Unblock while
 * blocked, Sign in again when its sign-in is gone), then refresh usage, edit, export and delete.
 */
export function AccountActions({ account, now }: { account: Account; now: Date }) {
  const actions = useAccountActions(account)
  const [editing, setEditing] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const { refreshUsage, exportAuth } = actions

  return (
    <div className="grid w-full gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <EnabledSwitch account={account} actions={actions} />
        <NeededAction account={account} now={now} actions={actions} />
      </div>
      <div className="-mx-2 flex flex-wrap items-center gap-1">
        <Button
          variant="ghost"
          size="sm"
          disabled={refreshUsage.isPending}
          aria-busy={refreshUsage.isPending || undefined}
          onClick={() => refreshUsage.mutate({ id: account.id })}
        >
          {refreshUsage.isPending ? <Loader2Icon className="animate-spin" /> : <RefreshCwIcon />}
          Refresh usage
        </Button>
        <Button variant="ghost" size="sm" onClick={() => setEditing(true)}>
          <PencilIcon />
          Edit
        </Button>
        <Button
          variant="ghost"
          size="sm"
          disabled={exportAuth.isPending}
          title="Download this account's auth.json (it holds live tokens)"
          onClick={() => exportAuth.mutate({ id: account.id })}
        >
          {exportAuth.isPending ? <Loader2Icon className="animate-spin" /> : <DownloadIcon />}
          Export
        </Button>
        <Button
          variant="ghost"
          size="sm"
          className="hover:text-destructive"
          onClick={() => setDeleting(true)}
        >
          <Trash2Icon />
          Delete
        </Button>
      </div>
      <EditAccountDialog account={account} open={editing} onOpenChange={setEditing} mutation={actions.edit} />
      <DeleteAccountDialog
        account={account}
        open={deleting}
        onOpenChange={setDeleting}
        mutation={actions.remove}
      />
    </div>
  )
}

/** Whether MultiCodex sends requests to the account; while the call runs, it shows where it is going. */
export function EnabledSwitch({
  account,
  actions,
  compact = false,
}: {
  account: Account
  actions: Actions
  /** In the table, whose column header already says "Enabled": the label is for screen readers only. */
  compact?: boolean
}) {
  const id = useId()
  const { setEnabled } = actions
  const enabled = setEnabled.isPending
    ? setEnabled.variables?.account?.enabled !== false
    : account.enabled !== false
  return (
    <div className="flex items-center gap-2">
      <Switch
        id={`${id}-enabled`}
        checked={enabled}
        disabled={setEnabled.isPending}
        aria-describedby={`${id}-enabled-hint`}
        onCheckedChange={(checked) =>
          setEnabled.mutate({
            account: { id: account.id, enabled: checked },
            updateMask: { paths: ["enabled"] },
          })
        }
      />
      <Label htmlFor={`${id}-enabled`} className={compact ? "sr-only" : "text-sm font-normal"}>
        Enabled
      </Label>
      <span id={`${id}-enabled-hint`} className="sr-only">
        Whether MultiCodex sends requests to {accountTitle(account)}
      </span>
    </div>
  )
}

/** Unblock while a block is in force; Sign in again when the sign-in is gone; nothing otherwise. */
export function NeededAction({ account, now, actions }: { account: Account; now: Date; actions: Actions }) {
  const { unblock } = actions
  if (account.state === Account_State.REAUTH_REQUIRED) {
    return (
      <Button asChild size="sm">
        <Link href={`/accounts/add?renew=${encodeURIComponent(account.id)}`}>
          <LogInIcon />
          Sign in again
        </Link>
      </Button>
    )
  }
  if (isBlocked(account, now)) {
    return (
      <Button
        variant="outline"
        size="sm"
        disabled={unblock.isPending}
        onClick={() => unblock.mutate({ id: account.id })}
      >
        {unblock.isPending ? <Loader2Icon className="animate-spin" /> : <ShieldCheckIcon />}
        Unblock
      </Button>
    )
  }
  return null
}
