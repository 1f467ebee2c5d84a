"use client"

import type { LucideIcon } from "lucide-react"
import { Loader2Icon } from "lucide-react"

import { Button } from "@/components/ui/button"
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip"
import { cn } from "@/lib/utils"

/** An icon-only button with its name as aria-label and tooltip, and a spinner while its action runs. */
export function IconButton({
  icon: Icon,
  label,
  pending = false,
  className,
  ...props
}: Omit<React.ComponentProps<typeof Button>, "children" | "size"> & {
  icon: LucideIcon
  label: string
  pending?: boolean
}) {
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={label}
          aria-busy={pending || undefined}
          disabled={pending || props.disabled}
          className={cn("text-muted-foreground hover:text-foreground", className)}
          {...props}
        >
          {pending ? <Loader2Icon className="animate-spin" /> : <Icon />}
        </Button>
      </TooltipTrigger>
      <TooltipContent>{label}</TooltipContent>
    </Tooltip>
  )
}
