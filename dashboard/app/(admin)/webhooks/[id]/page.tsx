import type { Metadata } from "next"

import { WebhookDetail } from "../_components/webhook-detail"

export const metadata: Metadata = { title: "Webhook" }

/** One webhook: its settings, its actions (test, edit, enable, delete) and its delivery log. */
export default async function WebhookPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  return <WebhookDetail id={id} />
}
