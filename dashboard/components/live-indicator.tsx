import { CloudOffIcon, Loader2Icon } from "lucide-react"

import { Button } from "@/components/ui/button"
import type { WatchStatus } from "@/lib/use-accounts-watch"
import { cn } from "@/lib/utils"

const text: Record<WatchStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
}

const hint: Record<WatchStatus, string> = {
  connecting: "Opening the live view",
  live: "Changes appear as they happen",
  reconnecting: "The live view dropped; retrying. The list shows the last known state.",
  offline: "Control has not answered for a while; still retrying. The list shows the last known state.",
}

/**
 * Whether the list on screen follows Control live: Live, Connecting…, Reconnecting… (a retry is due) or Offline
 * (failing for a while, still retrying), with a Retry now button when not live.
 */
export function LiveIndicator({
  status,
  onRetry,
  className,
}: {
  status: WatchStatus
  onRetry?: () => void
  className?: string
}) {
  const down = status === "reconnecting" || status === "offline"
  return (
    <span className={cn("inline-flex items-center gap-2", className)}>
      <span
        role="status"
        data-testid="live-indicator"
        data-status={status}
        title={hint[status]}
        className={cn(
          "inline-flex items-center gap-1.5 rounded-full border px-2.5 py-0.5 text-xs font-medium",
          status === "live" && "border-success/25 bg-success/10 text-success",
          status === "reconnecting" && "border-warning/30 bg-warning/10 text-warning",
          status === "offline" && "border-destructive/30 bg-destructive/10 text-destructive",
          status === "connecting" && "text-muted-foreground",
        )}
      >
        {status === "live" ? (
          <span className="relative flex size-2" aria-hidden="true">
            <span className="absolute inline-flex size-full motion-safe:animate-ping rounded-full bg-success opacity-50" />
            <span className="relative inline-flex size-2 rounded-full bg-success" />
          </span>
        ) : status === "offline" ? (
          <CloudOffIcon className="size-3" aria-hidden="true" />
        ) : (
          <Loader2Icon className="size-3 animate-spin" aria-hidden="true" />
        )}
        {text[status]}
      </span>
      {down && onRetry ? (
        <Button variant="ghost" size="sm" className="h-6 px-2 text-xs" onClick={onRetry}>
          Retry now
        </Button>
      ) : null}
    </span>
  )
}
