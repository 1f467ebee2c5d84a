"use client"

import { SecretOnceDialog } from "@/components/secret-once-dialog"
import type { CreateApiKeyResponse } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"

/** A new key's secret, the only time it is ever shown (Control keeps a hash). */
export function SecretDialog({
  created,
  onClose,
  returnFocus,
}: {
  created: CreateApiKeyResponse | null
  onClose: () => void
  returnFocus?: React.RefObject<HTMLElement | null>
}) {
  const origin = typeof window === "undefined" ? "" : window.location.origin
  return (
    <SecretOnceDialog
      secret={created ? created.secret : null}
      title={<>Key “{created?.apiKey?.name}” created</>}
      description="Give this secret to the client that will use it."
      secretLabel="API key secret"
      testId="api-key-secret"
      ifLost="MultiCodex keeps only a hash; if it is lost, revoke the key and create another."
      onClose={onClose}
      returnFocus={returnFocus}
    >
      Clients send it as <span className="font-mono">Authorization: Bearer &lt;secret&gt;</span> to{" "}
      <span className="font-mono">{origin}/v1</span>.
    </SecretOnceDialog>
  )
}
