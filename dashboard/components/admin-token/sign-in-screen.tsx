"use client"

import { AlertCircleIcon } from "lucide-react"

import type { AdminTokenRejection } from "@/components/admin-token/admin-token-provider"
import { AdminTokenForm } from "@/components/admin-token/admin-token-form"
import { BrandMark } from "@/components/brand-mark"
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert"
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"

/** Shown instead of the dashboard while Control refuses the stored token (or none is stored). */
export function SignInScreen({ rejection }: { rejection: AdminTokenRejection }) {
  return (
    <div className="flex min-h-svh flex-col items-center justify-center gap-6 bg-muted p-6 md:p-10">
      <div className="flex items-center gap-2 font-semibold">
        <BrandMark />
        MultiCodex
      </div>
      <Card className="w-full max-w-sm">
        <CardHeader>
          <CardTitle className="text-xl">
            <h1>Sign in</h1>
          </CardTitle>
          <CardDescription>Enter the admin token this server was started with (ADMIN_TOKEN).</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          {rejection.message ? (
            <Alert variant="destructive">
              <AlertCircleIcon />
              <AlertTitle>Saved token not accepted</AlertTitle>
              <AlertDescription>{rejection.message}</AlertDescription>
            </Alert>
          ) : null}
          <AdminTokenForm />
        </CardContent>
      </Card>
      <p className="max-w-sm text-center text-xs text-balance text-muted-foreground">
        The token stays in this browser and is sent to Control with every request.
      </p>
    </div>
  )
}
