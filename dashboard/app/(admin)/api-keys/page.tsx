import type { Metadata } from "next"

import { PageHeader } from "@/components/page-header"

import { ApiKeysView } from "./_components/api-keys-view"

export const metadata: Metadata = { title: "API keys" }

export default function ApiKeysPage() {
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Keys for OpenAI clients: once one exists, <span className="font-mono text-xs">/v1</span> requires{" "}
            <span className="font-mono text-xs">Authorization: Bearer &lt;key&gt;</span>.
          </>
        }
      />
      <ApiKeysView />
    </>
  )
}
