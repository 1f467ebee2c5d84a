import type { Metadata } from "next"

import { PageHeader } from "@/components/page-header"

import { CreateWebhookButton } from "./_components/create-webhook-button"
import { WebhooksView } from "./_components/webhooks-view"

export const metadata: Metadata = { title: "Webhooks" }

export default function WebhooksPage() {
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Endpoints that MultiCodex tells when the pool needs a person: accounts blocked or signed out, the pool running dry."
      >
        <CreateWebhookButton />
      </PageHeader>
      <WebhooksView />
    </>
  )
}
