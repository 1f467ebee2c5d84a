import type { LucideIcon } from "lucide-react"
import { UsersIcon } from "lucide-react"

export interface NavItem {
  title: string
  href: string
  icon: LucideIcon
}

/**
 * The dashboard's pages, in sidebar order; the header finds its title here too. Add account, API keys and
 * Requests join this list when their pages exist (no entry leads to a page that is not there).
 */
export const navItems: NavItem[] = [{ title: "Accounts", href: "/accounts", icon: UsersIcon }]

export function navItemFor(pathname: string): NavItem | undefined {
  return navItems.find((item) => pathname === item.href || pathname.startsWith(`${item.href}/`))
}
