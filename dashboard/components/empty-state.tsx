import type { LucideIcon } from "lucide-react"

import { cn } from "@/lib/utils"

/** A friendly blank: an icon, what is missing, and what to do about it. */
export function EmptyState({
  icon: Icon,
  title,
  children,
  className,
}: {
  icon: LucideIcon
  title: string
  children?: React.ReactNode
  className?: string
}) {
  return (
    <div
      className={cn(
        "flex flex-col items-center justify-center gap-3 rounded-xl border border-dashed px-6 py-16 text-center",
        className,
      )}
    >
      <div className="flex size-12 items-center justify-center rounded-full bg-muted">
        <Icon className="size-6 text-muted-foreground" />
      </div>
      <h3 className="text-lg font-semibold">{title}</h3>
      {children ? (
        <div className="max-w-md text-sm text-balance text-muted-foreground">{children}</div>
      ) : null}
    </div>
  )
}
