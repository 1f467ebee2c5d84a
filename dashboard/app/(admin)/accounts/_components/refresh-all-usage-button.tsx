"use client"

import { useMutation, useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { RotateCwIcon } from "lucide-react"
import { toast } from "sonner"

import { Button } from "@/components/ui/button"
import { upsertAccount } from "@/lib/accounts-cache"
import { accountTitle } from "@/lib/accounts"
import { describeError } from "@/lib/errors"
import { refreshUsage } from "@/lib/gen/multicodex/control/v1/usage_service-UsageService_connectquery"

/** Probes every account's usage now, and says which probes failed. */
export function RefreshAllUsageButton({ disabled }: { disabled?: boolean }) {
  const transport = useTransport()
  const queryClient = useQueryClient()
  const refresh = useMutation(refreshUsage, {
    onSuccess: ({ results }) => {
      for (const result of results) {
        if (result.account) {
          upsertAccount(queryClient, transport, result.account)
        }
      }
      const failed = results.filter((result) => result.error)
      if (failed.length === 0) {
        toast.success(
          `Usage refreshed for ${results.length} ${results.length === 1 ? "account" : "accounts"}`,
        )
        return
      }
      toast.warning(`${failed.length} of ${results.length} usage checks failed`, {
        description: failed
          .map((r) => `${r.account ? accountTitle(r.account) : r.accountId}: ${r.error}`)
          .join("\n"),
      })
    },
    onError: (error) => toast.error("Could not refresh usage", { description: describeError(error).message }),
  })

  return (
    <Button
      variant="outline"
      size="sm"
      onClick={() => refresh.mutate({})}
      disabled={disabled || refresh.isPending}
      aria-busy={refresh.isPending || undefined}
    >
      <RotateCwIcon className={refresh.isPending ? "animate-spin" : undefined} />
      {refresh.isPending ? "Refreshing usage…" : "Refresh all usage"}
    </Button>
  )
}
