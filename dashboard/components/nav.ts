import type { LucideIcon } from "lucide-react"
import { ActivityIcon, KeyRoundIcon, UserPlusIcon, UsersIcon, WebhookIcon } from "lucide-react"

export interface NavItem {
  title: string
  href: string
  icon: LucideIcon
}

/** The dashboard's pages, in sidebar order; the header finds its title here too. */
export const navItems: NavItem[] = [
  { title: "Accounts", href: "/accounts", icon: UsersIcon },
  { title: "Add account", href: "/accounts/add", icon: UserPlusIcon },
  { title: "API keys", href: "/api-keys", icon: KeyRoundIcon },
  { title: "Requests", href: "/requests", icon: ActivityIcon },
  { title: "Webhooks", href: "/webhooks", icon: WebhookIcon },
]

/** The entry for a path: the one with the longest matching href, so /accounts/add is not "Accounts". */
export function navItemFor(pathname: string): NavItem | undefined {
  return navItems
    .filter((item) => pathname === item.href || pathname.startsWith(`${item.href}/`))
    .sort((a, b) => b.href.length - a.href.length)[0]
}
