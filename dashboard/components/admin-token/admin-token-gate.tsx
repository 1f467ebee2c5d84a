"use client"

import { useAdminToken } from "@/components/admin-token/admin-token-provider"
import { SignInScreen } from "@/components/admin-token/sign-in-screen"

/** Renders the dashboard, or the sign-in screen once Control has refused the token. */
export function AdminTokenGate({ children }: { children: React.ReactNode }) {
  const { rejection } = useAdminToken()
  return rejection ? <SignInScreen rejection={rejection} /> : children
}
