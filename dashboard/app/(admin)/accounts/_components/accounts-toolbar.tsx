"use client"

import { useId } from "react"
import { LayoutGridIcon, SearchIcon, TableIcon } from "lucide-react"

import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { stateFilters, type AccountFilter, type StateFilter } from "@/lib/account-table"
import { cn } from "@/lib/utils"

export type AccountsLayout = "cards" | "table"
export const accountsLayouts = ["cards", "table"] as const

/** Find accounts by text or state, and switch between cards and the dense table. */
export function AccountsToolbar({
  filter,
  onFilter,
  layout,
  onLayout,
  children,
}: {
  filter: AccountFilter
  onFilter: (filter: AccountFilter) => void
  layout: AccountsLayout
  onLayout: (layout: AccountsLayout) => void
  children?: React.ReactNode
}) {
  const id = useId()
  return (
    <div className="flex flex-wrap items-center gap-2">
      <div className="relative min-w-0 flex-1 basis-48 sm:max-w-64">
        <SearchIcon
          className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
          aria-hidden="true"
        />
        <Input
          type="search"
          aria-label="Filter accounts"
          placeholder="Filter by name, email, plan"
          className="h-8 pl-8"
          value={filter.text}
          onChange={(event) => onFilter({ ...filter, text: event.target.value })}
        />
      </div>
      <label htmlFor={`${id}-state`} className="sr-only">
        Show accounts that are
      </label>
      <select
        id={`${id}-state`}
        className="h-8 rounded-md border border-input bg-background px-2 text-sm shadow-xs outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        value={filter.state}
        onChange={(event) => onFilter({ ...filter, state: event.target.value as StateFilter })}
      >
        {stateFilters.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <div className="inline-flex rounded-md border p-0.5" role="group" aria-label="Layout">
        <LayoutButton active={layout === "cards"} onClick={() => onLayout("cards")} icon={LayoutGridIcon}>
          Cards
        </LayoutButton>
        <LayoutButton active={layout === "table"} onClick={() => onLayout("table")} icon={TableIcon}>
          Table
        </LayoutButton>
      </div>
      {children ? <div className="ml-auto flex items-center gap-2">{children}</div> : null}
    </div>
  )
}

function LayoutButton({
  active,
  onClick,
  icon: Icon,
  children,
}: {
  active: boolean
  onClick: () => void
  icon: React.ComponentType<{ className?: string }>
  children: React.ReactNode
}) {
  return (
    <Button
      variant="ghost"
      size="sm"
      aria-pressed={active}
      className={cn("h-7 px-2.5", active && "bg-accent text-accent-foreground")}
      onClick={onClick}
    >
      <Icon className="size-3.5" />
      {children}
    </Button>
  )
}
