import { cn } from "@/lib/utils"

/** The MultiCodex mark: the same drawing as app/icon.svg. */
export function BrandMark({ className }: { className?: string }) {
  return (
    <span
      className={cn(
        "flex size-7 shrink-0 items-center justify-center rounded-md bg-primary text-primary-foreground",
        className,
      )}
    >
      <svg viewBox="0 0 32 32" aria-hidden="true" className="size-5">
        <path
          d="M9 22V10l7 7 7-7v12"
          fill="none"
          stroke="currentColor"
          strokeWidth="2.6"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
    </span>
  )
}
