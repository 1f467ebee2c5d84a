import {
  Code,
  ConnectError,
  createRouterTransport,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect"

import { ADMIN_TOKEN_HEADER, readAdminToken } from "@/lib/admin-token"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import type { ApiKey } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import type { OAuthFlow } from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import type {
  GetUsageOverviewResponse,
  RequestEntry,
  UsageSample,
} from "@/lib/gen/multicodex/control/v1/usage_service_pb"
import type { DeliveryAttempt, Webhook } from "@/lib/gen/multicodex/control/v1/webhook_service_pb"
import type { WebSocketSession } from "@/lib/gen/multicodex/control/v1/websocket_session_service_pb"
import { adminTokenInterceptor } from "@/lib/transport"

import { registerFakeServices } from "./fake-services"

export interface FakeControlOptions {
  accounts?: Account[]
  apiKeys?: ApiKey[]
  requests?: RequestEntry[]
  samples?: UsageSample[]
  webhooks?: Webhook[]
  /** Delivery attempts by webhook id, newest first. */
  attempts?: Record<string, DeliveryAttempt[]>
  overview?: GetUsageOverviewResponse
  /** The open client WebSockets ListWebSocketSessions returns. */
  webSocketSessions?: WebSocketSession[]
  /** Like Control's ADMIN_TOKEN: when set, calls must carry it. */
  adminToken?: string
  /** Makes ListAccounts (and WatchAccounts) fail with this error instead. */
  failWith?: ConnectError
}

/**
 * An in-memory Control for component tests: every generated service served by connect's router, behind the
 * dashboard's real admin-token interceptor, answering UNAUTHENTICATED in Control's words. Tests change its state
 * (and call `changed()` so open WatchAccounts streams send the new list), make a method fail once with
 * `failNext`, and read which methods were called, with what, from `calls`.
 */
export class FakeControl {
  accounts: Account[]
  apiKeys: ApiKey[]
  requests: RequestEntry[]
  samples: UsageSample[]
  webhooks: Webhook[]
  attempts: Record<string, DeliveryAttempt[]>
  overview?: GetUsageOverviewResponse
  webSocketSessions: WebSocketSession[]
  flows = new Map<string, OAuthFlow>()
  /** The email the issuer signs in on completion, whatever was typed (for the "not the email you typed" case). */
  signInAs?: string
  failWith?: ConnectError
  readonly calls: { method: string; request: unknown }[] = []
  readonly transport: Transport
  private readonly failures = new Map<string, ConnectError>()
  private listeners = new Set<(event: "changed" | "end") => void>()

  constructor({
    accounts = [],
    apiKeys = [],
    requests = [],
    samples = [],
    webhooks = [],
    attempts = {},
    overview,
    webSocketSessions = [],
    adminToken,
    failWith,
  }: FakeControlOptions = {}) {
    this.accounts = accounts
    this.apiKeys = apiKeys
    this.requests = requests
    this.samples = samples
    this.webhooks = webhooks
    this.attempts = attempts
    this.overview = overview
    this.webSocketSessions = webSocketSessions
    this.failWith = failWith
    this.transport = createRouterTransport((router) => registerFakeServices(router, this), {
      transport: { interceptors: [adminTokenInterceptor(readAdminToken), requireToken(adminToken)] },
    })
  }

  /** Records a call, and throws the error set with `failNext` for this method, once. */
  record(method: string, request: unknown): void {
    this.calls.push({ method, request })
    const failure = this.failures.get(method)
    if (failure) {
      this.failures.delete(method)
      throw failure
    }
  }

  callsOf(method: string): unknown[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.request)
  }

  failNext(method: string, error: ConnectError): void {
    this.failures.set(method, error)
  }

  /** Replaces the accounts and tells every open WatchAccounts stream. */
  setAccounts(accounts: Account[]): void {
    this.accounts = accounts
    this.changed()
  }

  changed(): void {
    this.listeners.forEach((listener) => listener("changed"))
  }

  /** Ends every open WatchAccounts stream, as a restarting Control does. */
  endWatches(): void {
    this.listeners.forEach((listener) => listener("end"))
  }

  get openWatches(): number {
    return this.listeners.size
  }

  /** For the WatchAccounts handler: calls `listener` on every change until the returned function is called. */
  subscribe(listener: (event: "changed" | "end") => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

export function createFakeControl(options: FakeControlOptions = {}): Transport {
  return new FakeControl(options).transport
}

/** Control's admin-token check, as an interceptor after the dashboard's own (which sets the header). */
function requireToken(adminToken: string | undefined): Interceptor {
  return (next) => async (req) => {
    if (adminToken !== undefined) {
      const presented = req.header.get(ADMIN_TOKEN_HEADER)
      if (!presented) {
        throw new ConnectError(
          `Missing ${ADMIN_TOKEN_HEADER} header: this server requires the admin token (ADMIN_TOKEN).`,
          Code.Unauthenticated,
        )
      }
      if (presented !== adminToken) {
        throw new ConnectError(
          `Wrong ${ADMIN_TOKEN_HEADER}: it does not match the server's ADMIN_TOKEN.`,
          Code.Unauthenticated,
        )
      }
    }
    return next(req)
  }
}
