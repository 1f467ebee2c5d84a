"use client"

import { SecretOnceDialog } from "@/components/secret-once-dialog"
import type { CreateWebhookResponse } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"

/** A new webhook's signing secret, the only time it is ever shown. */
export function WebhookSecretDialog({
  created,
  onClose,
}: {
  created: CreateWebhookResponse | null
  onClose: () => void
}) {
  return (
    <SecretOnceDialog
      secret={created ? created.secret : null}
      title="Webhook created"
      description={created?.webhook?.url}
      secretLabel="Webhook signing secret"
      testId="webhook-secret"
      ifLost="If it is lost, delete the webhook and add it again."
      onClose={onClose}
    >
      Your receiver checks each delivery with it: <span className="font-mono">X-MultiCodex-Signature</span> is{" "}
      <span className="font-mono">t=&lt;unix time&gt;,v1=&lt;hex&gt;</span>, an HMAC-SHA256 of{" "}
      <span className="font-mono">&lt;t&gt;.&lt;body&gt;</span> keyed with this secret (README, Alerts).
    </SecretOnceDialog>
  )
}
