"use client"

import { Button } from "@/components/ui/button"
import { cn } from "@/lib/utils"

/** A small segmented control of time ranges ("24h", "7d", …); the chosen one is pressed. */
export function RangeToggle<T extends string>({
  ranges,
  value,
  onChange,
  label = "Time range",
}: {
  ranges: readonly { value: T; label: string }[]
  value: T
  onChange: (next: T) => void
  label?: string
}) {
  return (
    <div className="inline-flex rounded-md border p-0.5" role="group" aria-label={label}>
      {ranges.map((option) => (
        <Button
          key={option.value}
          variant="ghost"
          size="sm"
          aria-pressed={value === option.value}
          title={`The last ${option.label}`}
          className={cn("h-7 px-2.5", value === option.value && "bg-accent text-accent-foreground")}
          onClick={() => onChange(option.value)}
        >
          {option.value}
        </Button>
      ))}
    </div>
  )
}
