"use client"

import { useId, useState } from "react"
import {
  DownloadIcon,
  Loader2Icon,
  PencilIcon,
  RefreshCwIcon,
  ShieldCheckIcon,
  Trash2Icon,
} from "lucide-react"

import { IconButton } from "@/components/icon-button"
import { Button } from "@/components/ui/button"
import { Label } from "@/components/ui/label"
import { Switch } from "@/components/ui/switch"
import { accountTitle, isBlocked } from "@/lib/accounts"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"

import { DeleteAccountDialog } from "./delete-account-dialog"
import { EditAccountDialog } from "./edit-account-dialog"
import { useAccountActions } from "./use-account-actions"

/** The card's toolbar: enabled switch, Unblock while blocked, refresh usage, edit, export, delete. */
export function AccountActions({ account, now }: { account: Account; now: Date }) {
  const id = useId()
  const actions = useAccountActions(account)
  const [editing, setEditing] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const { setEnabled, unblock, refreshUsage, exportAuth } = actions
  // While the switch's call runs, show where it is going.
  const enabled = setEnabled.isPending
    ? setEnabled.variables?.account?.enabled !== false
    : account.enabled !== false
  const name = accountTitle(account)

  return (
    <div className="flex w-full flex-wrap items-center gap-2">
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
        <Label htmlFor={`${id}-enabled`} className="text-sm font-normal">
          Enabled
        </Label>
        <span id={`${id}-enabled-hint`} className="sr-only">
          Whether MultiCodex sends requests to {name}
        </span>
      </div>
      <div className="ml-auto flex items-center gap-0.5">
        {isBlocked(account, now) ? (
          <Button
            variant="outline"
            size="sm"
            className="mr-1"
            disabled={unblock.isPending}
            onClick={() => unblock.mutate({ id: account.id })}
          >
            {unblock.isPending ? <Loader2Icon className="animate-spin" /> : <ShieldCheckIcon />}
            Unblock
          </Button>
        ) : null}
        <IconButton
          icon={RefreshCwIcon}
          label="Refresh usage"
          pending={refreshUsage.isPending}
          onClick={() => refreshUsage.mutate({ id: account.id })}
        />
        <IconButton icon={PencilIcon} label="Edit label and priority" onClick={() => setEditing(true)} />
        <IconButton
          icon={DownloadIcon}
          label="Export auth.json"
          pending={exportAuth.isPending}
          onClick={() => exportAuth.mutate({ id: account.id })}
        />
        <IconButton
          icon={Trash2Icon}
          label="Delete account"
          className="hover:text-destructive"
          onClick={() => setDeleting(true)}
        />
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
