import { Badge } from "@/components/ui/badge"
import { accountStatus } from "@/lib/accounts"
import type { FormatOptions } from "@/lib/format"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"

const dot: Record<string, string> = {
  success: "bg-success",
  warning: "bg-warning",
  destructive: "bg-destructive",
  muted: "bg-muted-foreground/60",
}

/** Active / Blocked until <time> / Re-auth required / Disabled. */
export function AccountStateBadge({
  account,
  now,
  format,
}: {
  account: Account
  now: Date
  format?: FormatOptions
}) {
  const status = accountStatus(account, now, format)
  return (
    <Badge variant={status.tone} data-testid="account-state">
      <span className={`size-1.5 rounded-full ${dot[status.tone]}`} aria-hidden="true" />
      {status.label}
    </Badge>
  )
}
