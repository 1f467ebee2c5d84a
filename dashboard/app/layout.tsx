import type { Metadata } from "next"

import { Providers } from "@/app/providers"
import "./globals.css"

export const metadata: Metadata = {
  title: { default: "MultiCodex", template: "%s · MultiCodex" },
  description: "Pool ChatGPT (Codex) accounts behind one OpenAI-compatible endpoint.",
}

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  )
}
