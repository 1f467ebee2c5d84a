"use client"

import { useState } from "react"
import { KeyRoundIcon, LogOutIcon } from "lucide-react"
import { toast } from "sonner"

import { AdminTokenForm } from "@/components/admin-token/admin-token-form"
import { useAdminToken } from "@/components/admin-token/admin-token-provider"
import { Button } from "@/components/ui/button"
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog"
import { Separator } from "@/components/ui/separator"

/** The header's token control: change the stored admin token, or forget it (sign out). */
export function AdminTokenDialog() {
  const { token, signOut } = useAdminToken()
  const [open, setOpen] = useState(false)
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm">
          <KeyRoundIcon />
          {/* A phone gets the short name; one of the two is display: none, so the other is the accessible name. */}
          <span className="sm:hidden">Token</span>
          <span className="hidden sm:inline">Admin token</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Admin token</DialogTitle>
          <DialogDescription>
            {token
              ? "This browser has a token saved. Enter a new one to replace it."
              : "No token is saved in this browser; this server accepts calls without one."}
          </DialogDescription>
        </DialogHeader>
        <AdminTokenForm
          submitLabel="Save token"
          onSignedIn={() => {
            setOpen(false)
            toast.success("Admin token saved")
          }}
        />
        {token ? (
          <>
            <Separator />
            <Button
              variant="ghost"
              className="justify-self-start text-muted-foreground"
              onClick={() => {
                setOpen(false)
                signOut()
              }}
            >
              <LogOutIcon />
              Sign out (forget the token)
            </Button>
          </>
        ) : null}
      </DialogContent>
    </Dialog>
  )
}
