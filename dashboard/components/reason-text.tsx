import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip"
import type { Reason } from "@/lib/reasons"

/** A reason in words; the server's code shows in a tooltip (on hover and on keyboard focus). */
export function ReasonText({ reason }: { reason: Reason }) {
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <span
          tabIndex={0}
          data-testid="reason"
          data-code={reason.code}
          className="cursor-help underline decoration-dotted underline-offset-2 outline-none focus-visible:ring-2 focus-visible:ring-ring/50"
        >
          {reason.text}
        </span>
      </TooltipTrigger>
      <TooltipContent>
        Code: <span className="font-mono">{reason.code}</span>
      </TooltipContent>
    </Tooltip>
  )
}
