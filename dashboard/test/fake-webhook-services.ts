import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect"

import { EventSchema, Event_Type } from "@/lib/gen/multicodex/control/v1/event_pb"
import {
  WebhookSchema,
  WebhookService,
  type Webhook,
} from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import { WebSocketSessionService } from "@/lib/gen/multicodex/control/v1/websocket_session_service_pb"

import type { FakeControl } from "./fake-control"
import { NOW } from "./fixtures"

/** WebhookService over the fake's state, with Control's checks and messages. */
export function registerFakeWebhookServices(router: ConnectRouter, fake: FakeControl): void {
  const find = (id: string) => {
    const webhook = fake.webhooks.find((w) => w.id === id)
    if (!webhook) {
      throw new ConnectError(`No webhook has id '${id}'.`, Code.NotFound)
    }
    return webhook
  }
  const validUrl = (url: string) => {
    if (!/^https?:\/\/[^/\s]+/.test(url.trim())) {
      throw new ConnectError(
        `Only http and https URLs can receive webhooks, not '${url}'.`,
        Code.InvalidArgument,
      )
    }
    return url.trim()
  }
  const replace = (webhook: Webhook) => {
    fake.webhooks = fake.webhooks.map((w) => (w.id === webhook.id ? webhook : w))
    return webhook
  }

  router.service(WebhookService, {
    listWebhooks: (request) => (fake.record("listWebhooks", request), { webhooks: fake.webhooks }),
    getWebhook: (request) => (fake.record("getWebhook", request), { webhook: find(request.id) }),
    createWebhook(request) {
      fake.record("createWebhook", request)
      const n = fake.webhooks.length + 1
      const webhook = create(WebhookSchema, {
        id: `whk_${n}`,
        url: validUrl(request.webhook?.url ?? ""),
        description: request.webhook?.description ?? "",
        eventTypes: request.webhook?.eventTypes ?? [],
        enabled: request.webhook?.enabled ?? true,
        secretHint: "whsec_Ab3d…",
        createTime: timestampFromDate(NOW),
        updateTime: timestampFromDate(NOW),
      })
      fake.webhooks = [...fake.webhooks, webhook]
      return { webhook, secret: `whsec_Ab3d-s3cr3t-value-${n}` }
    },
    updateWebhook(request) {
      fake.record("updateWebhook", request)
      const next = { ...find(request.webhook?.id ?? "") }
      for (const path of request.updateMask?.paths ?? []) {
        if (path === "url") next.url = validUrl(request.webhook?.url ?? "")
        if (path === "description") next.description = request.webhook?.description
        if (path === "event_types") next.eventTypes = request.webhook?.eventTypes ?? []
        if (path === "enabled") next.enabled = request.webhook?.enabled
      }
      return { webhook: replace(next) }
    },
    deleteWebhook(request) {
      fake.record("deleteWebhook", request)
      find(request.id)
      fake.webhooks = fake.webhooks.filter((w) => w.id !== request.id)
      return {}
    },
    testWebhook(request) {
      fake.record("testWebhook", request)
      find(request.id)
      return {
        event: create(EventSchema, {
          id: "evt_test1",
          type: Event_Type.WEBHOOK_TEST,
          time: timestampFromDate(NOW),
          summary: `Test event from MultiCodex for webhook ${request.id}: if you can read this, deliveries arrive.`,
        }),
      }
    },
    listDeliveryAttempts(request) {
      fake.record("listDeliveryAttempts", request)
      find(request.webhookId)
      return { attempts: fake.attempts[request.webhookId] ?? [] }
    },
  })
}

/** WebSocketSessionService: the fake's open sockets, as Control lists what the Edges reported. */
export function registerFakeWebSocketSessionService(router: ConnectRouter, fake: FakeControl): void {
  router.service(WebSocketSessionService, {
    listWebSocketSessions(request) {
      fake.record("listWebSocketSessions", request)
      return { sessions: fake.webSocketSessions }
    },
  })
}
