"use client"

import { usePathname } from "next/navigation"
import { ChevronRightIcon } from "lucide-react"

import { AdminTokenDialog } from "@/components/admin-token/admin-token-dialog"
import { navItemFor } from "@/components/nav"
import { Separator } from "@/components/ui/separator"
import { SidebarTrigger } from "@/components/ui/sidebar"

/** The bar above every page: where you are, and the admin token control. */
export function SiteHeader() {
  const title = navItemFor(usePathname())?.title
  return (
    <header className="sticky top-0 z-10 flex h-14 shrink-0 items-center gap-2 border-b bg-background/95 px-4 backdrop-blur supports-[backdrop-filter]:bg-background/80 lg:px-6">
      <SidebarTrigger className="-ml-1" />
      <Separator orientation="vertical" className="mx-1 data-[orientation=vertical]:h-4 md:hidden" />
      <nav aria-label="Breadcrumb" className="flex items-center gap-1.5 text-sm text-muted-foreground">
        <span>MultiCodex</span>
        {title ? (
          <>
            <ChevronRightIcon className="size-3.5" aria-hidden="true" />
            <span className="font-medium text-foreground" aria-current="page">
              {title}
            </span>
          </>
        ) : null}
      </nav>
      <div className="ml-auto flex items-center gap-2">
        <AdminTokenDialog />
      </div>
    </header>
  )
}
