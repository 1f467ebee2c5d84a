"use client"

import { FileJsonIcon, GlobeIcon, MonitorSmartphoneIcon } from "lucide-react"

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs"

import { BrowserSignIn } from "./browser-sign-in"
import { DeviceSignIn } from "./device-sign-in"
import { ImportAuthJson } from "./import-auth-json"

const methods = [
  {
    value: "browser",
    label: "Browser sign-in",
    short: "Browser",
    icon: GlobeIcon,
    title: "Sign in with ChatGPT",
    description: "Sign in on ChatGPT's own page, then paste the address it sends you to.",
    body: <BrowserSignIn />,
  },
  {
    value: "device",
    label: "Device code",
    short: "Device code",
    icon: MonitorSmartphoneIcon,
    title: "Sign in with a device code",
    description:
      "Enter a short code on ChatGPT's device page, on this or any other device; no pasting needed.",
    body: <DeviceSignIn />,
  },
  {
    value: "import",
    label: "Import auth.json",
    short: "Import",
    icon: FileJsonIcon,
    title: "Import auth.json",
    description: "Bring in accounts the Codex CLI has already signed in.",
    body: <ImportAuthJson />,
  },
]

/** The three ways to add an account, one tab each. */
export function AddAccountTabs() {
  return (
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
      {methods.map(({ value, title, description, body }) => (
        // Kept mounted, so a sign-in in progress survives a look at another tab.
        <TabsContent key={value} value={value} forceMount className="data-[state=inactive]:hidden">
          <Card className="max-w-3xl">
            <CardHeader>
              <CardTitle>{title}</CardTitle>
              <CardDescription>{description}</CardDescription>
            </CardHeader>
            <CardContent>{body}</CardContent>
          </Card>
        </TabsContent>
      ))}
    </Tabs>
  )
}
