"use client"

import { useQuery } from "@connectrpc/connect-query"
import { XIcon } from "lucide-react"

import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { listApiKeys } from "@/lib/gen/multicodex/control/v1/api_key_service-ApiKeyService_connectquery"
import { activeFilterCount, requestRanges, statusChoices, type RequestFilters } from "@/lib/requests"

const selectClass =
  "h-8 rounded-md border border-input bg-transparent px-2 text-sm shadow-xs outline-none focus-visible:ring-2 focus-visible:ring-ring/50 dark:bg-input/30"

/** The request list's filters: account, key, model, status, transport and time range. */
export function RequestFiltersBar({
  filters,
  onChange,
}: {
  filters: RequestFilters
  onChange: (next: RequestFilters) => void
}) {
  const accounts = useQuery(listAccounts, {})
  const keys = useQuery(listApiKeys, {})
  const set = (name: keyof RequestFilters) => (value: string) =>
    onChange({ ...filters, [name]: value || undefined })

  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Filter requests">
      <FilterSelect label="Account" value={filters.account} onChange={set("account")} anyLabel="Any account">
        {(accounts.data?.accounts ?? []).map((a) => (
          <option key={a.id} value={a.id}>
            {a.label?.trim() || a.email}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect label="Key" value={filters.key} onChange={set("key")} anyLabel="Any key">
        {(keys.data?.apiKeys ?? []).map((k) => (
          <option key={k.id} value={k.name}>
            {k.name}
          </option>
        ))}
      </FilterSelect>
      <Input
        aria-label="Model"
        placeholder="Model"
        className="h-8 w-36"
        defaultValue={filters.model ?? ""}
        key={filters.model ?? ""}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            set("model")(e.currentTarget.value.trim())
          }
        }}
        onBlur={(e) => {
          if (e.currentTarget.value.trim() !== (filters.model ?? "")) {
            set("model")(e.currentTarget.value.trim())
          }
        }}
      />
      <FilterSelect label="Status" value={filters.status} onChange={set("status")} anyLabel="Any status">
        {statusChoices.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect
        label="Transport"
        value={filters.transport}
        onChange={set("transport")}
        anyLabel="Any transport"
      >
        <option value="http">HTTP</option>
        <option value="websocket">WebSocket</option>
      </FilterSelect>
      <FilterSelect label="Time" value={filters.range} onChange={set("range")} anyLabel="All kept">
        {requestRanges.map((r) => (
          <option key={r.value} value={r.value}>
            Last {r.label}
          </option>
        ))}
      </FilterSelect>
      {activeFilterCount(filters) > 0 ? (
        <Button variant="ghost" size="sm" className="h-8" onClick={() => onChange({})}>
          <XIcon aria-hidden="true" />
          Clear filters
        </Button>
      ) : null}
    </div>
  )
}

function FilterSelect({
  label,
  value,
  onChange,
  anyLabel,
  children,
}: {
  label: string
  value: string | undefined
  onChange: (value: string) => void
  anyLabel: string
  children: React.ReactNode
}) {
  return (
    <select
      aria-label={label}
      className={selectClass}
      value={value ?? ""}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">{anyLabel}</option>
      {/* A value from the URL that is not (or no longer) a choice stays selectable, so the view it names holds. */}
      {value && !hasOption(children, value) ? <option value={value}>{value}</option> : null}
      {children}
    </select>
  )
}

function hasOption(children: React.ReactNode, value: string): boolean {
  const list = Array.isArray(children) ? children.flat() : [children]
  return list.some(
    (child) =>
      typeof child === "object" &&
      child !== null &&
      "props" in child &&
      (child.props as { value?: string }).value === value,
  )
}
