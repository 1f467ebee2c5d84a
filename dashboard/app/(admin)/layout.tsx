import { AdminTokenGate } from "@/components/admin-token/admin-token-gate"
import { AppSidebar } from "@/components/app-sidebar"
import { SecurityBanner } from "@/components/security-banner"
import { SiteHeader } from "@/components/site-header"
import { SidebarInset, SidebarProvider } from "@/components/ui/sidebar"

export default function AdminLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <AdminTokenGate>
      <SidebarProvider>
        <AppSidebar />
        <SidebarInset>
          <SiteHeader />
          <div className="flex flex-1 flex-col gap-6 p-4 lg:p-6">
            <SecurityBanner />
            {children}
          </div>
        </SidebarInset>
      </SidebarProvider>
    </AdminTokenGate>
  )
}
