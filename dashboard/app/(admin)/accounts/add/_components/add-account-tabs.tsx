"use client"

import { useCallback, useState } from "react"
import Link from "next/link"
import { useSearchParams } from "next/navigation"
import { useQuery } from "@connectrpc/connect-query"
import { FileJsonIcon, GlobeIcon, MonitorSmartphoneIcon, RefreshCcwIcon } from "lucide-react"

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert"
import { Button } from "@/components/ui/button"
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs"
import { accountTitle } from "@/lib/accounts"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"

import { BrowserSignIn } from "./browser-sign-in"
import { DeviceSignIn } from "./device-sign-in"
import { ImportAuthJson } from "./import-auth-json"

type Method = "browser" | "device" | "import"

const methods: {
  value: Method
  label: string
  short: string
  icon: React.ComponentType<{ className?: string }>
  title: string
  description: string
}[] = [
  {
    value: "browser",
    label: "Browser sign-in",
    short: "Browser",
    icon: GlobeIcon,
    title: "Sign in with ChatGPT",
    description: "Sign in on ChatGPT's own page, then paste the address it sends you to.",
  },
  {
    value: "device",
    label: "Device code",
    short: "Device code",
    icon: MonitorSmartphoneIcon,
    title: "Sign in with a device code",
    description:
      "Enter a short code on ChatGPT's device page, on this or any other device; no pasting needed.",
  },
  {
    value: "import",
    label: "Import auth.json",
    short: "Import",
    icon: FileJsonIcon,
    title: "Import auth.json",
    description: "Bring in accounts the Codex CLI has already signed in.",
  },
]

const otherPending: Record<Method, string> = {
  browser: "A browser sign-in is in progress: complete it or cancel it first.",
  device: "A device sign-in is in progress: complete it or cancel it first.",
  import: "",
}

/**
 * The three ways to add an account, one tab each; with `?renew=<id>` ("Sign in again" on a card) the sign-ins
 * renew that account. One sign-in may be pending at a time across the tabs.
 */
export function AddAccountTabs() {
  const renewId = useSearchParams().get("renew")
  const accounts = useQuery(listAccounts, {}, { enabled: !!renewId })
  const renew = renewId ? accounts.data?.accounts.find((a) => a.id === renewId) : undefined
  const [pending, setPending] = useState<Method | null>(null)
  const reportBrowser = useCallback((on: boolean) => setPending((p) => next(p, "browser", on)), [])
  const reportDevice = useCallback((on: boolean) => setPending((p) => next(p, "device", on)), [])
  const blockedFor = (method: Method) => (pending && pending !== method ? otherPending[pending] : undefined)
  // Keyed by the account being renewed, so the forms start over (with its email) when it changes.
  const key = renew?.id ?? "new"

  const bodies: Record<Method, React.ReactNode> = {
    browser: (
      <BrowserSignIn
        key={key}
        renew={renew}
        blockedBy={blockedFor("browser")}
        onPendingChange={reportBrowser}
      />
    ),
    device: (
      <DeviceSignIn key={key} renew={renew} blockedBy={blockedFor("device")} onPendingChange={reportDevice} />
    ),
    import: <ImportAuthJson />,
  }

  return (
    <div className="grid gap-4">
      {renewId ? <RenewNotice id={renewId} account={renew} loading={accounts.isPending} /> : null}
      <Tabs defaultValue="browser">
        <TabsList aria-label="How to add the account" className="w-full sm:w-fit">
          {methods.map(({ value, label, short, icon: Icon }) => (
            <TabsTrigger key={value} value={value}>
              <Icon className="hidden sm:block" />
              {/* A phone gets the short name (one of the two is display: none, so it is also the accessible name). */}
              <span className="sm:hidden">{short}</span>
              <span className="hidden sm:inline">{label}</span>
            </TabsTrigger>
          ))}
        </TabsList>
        {methods.map(({ value, title, description }) => (
          // Kept mounted, so a sign-in in progress survives a look at another tab.
          <TabsContent key={value} value={value} forceMount className="data-[state=inactive]:hidden">
            <Card className="max-w-3xl">
              <CardHeader>
                <CardTitle>{title}</CardTitle>
                <CardDescription>{description}</CardDescription>
              </CardHeader>
              <CardContent>{bodies[value]}</CardContent>
            </Card>
          </TabsContent>
        ))}
      </Tabs>
    </div>
  )
}

function next(current: Method | null, method: Method, on: boolean): Method | null {
  if (on) {
    return method
  }
  return current === method ? null : current
}

function RenewNotice({ id, account, loading }: { id: string; account?: Account; loading: boolean }) {
  if (loading) {
    return null
  }
  if (!account) {
    return (
      <Alert variant="warning" data-testid="renew-notice">
        <RefreshCcwIcon />
        <AlertTitle>No account to sign in again</AlertTitle>
        <AlertDescription>
          Account {id} is not in the pool (any more). A sign-in below adds the account it signs in.
        </AlertDescription>
      </Alert>
    )
  }
  return (
    <Alert data-testid="renew-notice" className="max-w-3xl">
      <RefreshCcwIcon />
      <AlertTitle>Signing in again: {accountTitle(account)}</AlertTitle>
      <AlertDescription>
        <p>
          Sign in with {account.email || "the same ChatGPT account"} below (browser or device code). Its
          tokens are renewed; its label, priority and history stay. A different ChatGPT account is refused,
          not added.
        </p>
        <Button asChild variant="link" className="h-auto p-0">
          <Link href="/accounts">Back to Accounts</Link>
        </Button>
      </AlertDescription>
    </Alert>
  )
}
