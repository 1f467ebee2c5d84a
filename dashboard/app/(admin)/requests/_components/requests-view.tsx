"use client"

import { usePathname, useRouter, useSearchParams } from "next/navigation"
import { useMemo } from "react"

import { filtersFromParams, filtersToParams, type RequestFilters } from "@/lib/requests"

import { RequestsTable } from "./requests-table"

/** The request list with its filters kept in the page's URL, so a filtered view can be reloaded or shared. */
export function RequestsView() {
  const params = useSearchParams()
  const router = useRouter()
  const pathname = usePathname()
  const query = params.toString()
  const filters = useMemo(() => filtersFromParams(new URLSearchParams(query)), [query])
  const onFiltersChange = (next: RequestFilters) => {
    const search = filtersToParams(next, new URLSearchParams(query)).toString()
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false })
  }
  return <RequestsTable filters={filters} onFiltersChange={onFiltersChange} />
}
