import { Loader2Icon } from "lucide-react"

import type { WatchStatus } from "@/lib/use-accounts-watch"
import { cn } from "@/lib/utils"

const text: Record<WatchStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
}

/** Whether the list on screen follows Control live, or is waiting for the stream to come back. */
export function LiveIndicator({ status, className }: { status: WatchStatus; className?: string }) {
  return (
    <span
      role="status"
      data-testid="live-indicator"
      data-status={status}
      title={status === "live" ? "Updates appear as they happen" : "Changes show again once reconnected"}
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full border px-2.5 py-0.5 text-xs font-medium",
        status === "live" && "border-success/25 bg-success/10 text-success",
        status === "reconnecting" && "border-warning/30 bg-warning/10 text-warning",
        status === "connecting" && "text-muted-foreground",
        className,
      )}
    >
      {status === "live" ? (
        <span className="relative flex size-2" aria-hidden="true">
          <span className="absolute inline-flex size-full motion-safe:animate-ping rounded-full bg-success opacity-50" />
          <span className="relative inline-flex size-2 rounded-full bg-success" />
        </span>
      ) : (
        <Loader2Icon className="size-3 animate-spin" aria-hidden="true" />
      )}
      {text[status]}
    </span>
  )
}
