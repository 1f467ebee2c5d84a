import { Badge } from "@/components/ui/badge"
import type { DeliveryAttempt } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { attemptOutcome } from "@/lib/webhooks"

/** How a delivery attempt ended, as a badge: delivered, failed (retrying or for good), dropped. */
export function AttemptBadge({ attempt }: { attempt: DeliveryAttempt }) {
  const outcome = attemptOutcome(attempt)
  return (
    <Badge variant={outcome.tone} title={attempt.error || undefined} data-testid="attempt-outcome">
      {outcome.label}
    </Badge>
  )
}
