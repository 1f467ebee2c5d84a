import { create } from "@bufbuild/protobuf"
import { timestampFromDate } from "@bufbuild/protobuf/wkt"
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect"

import { Account_State, type Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import { AccountService } from "@/lib/gen/multicodex/control/v1/account_service_pb"
import { ApiKeyService, ApiKeySchema } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import {
  OAuthFlowSchema,
  OAuthFlow_Kind,
  OAuthFlow_State,
  OAuthService,
  type OAuthFlow,
} from "@/lib/gen/multicodex/control/v1/oauth_service_pb"
import { UsageService } from "@/lib/gen/multicodex/control/v1/usage_service_pb"

import { registerFakeWebhookServices, registerFakeWebSocketSessionService } from "./fake-webhook-services"

import type { FakeControl } from "./fake-control"
import { NOW, makeAccount } from "./fixtures"

/** The four services, implemented over the fake's state with Control's errors and messages. */
export function registerFakeServices(router: ConnectRouter, fake: FakeControl): void {
  const find = (id: string) => {
    const account = fake.accounts.find((a) => a.id === id)
    if (!account) {
      throw new ConnectError(`No account with id "${id}".`, Code.NotFound)
    }
    return account
  }
  const replace = (account: Account) => {
    fake.setAccounts(fake.accounts.map((a) => (a.id === account.id ? account : a)))
    return { account }
  }

  router.service(AccountService, {
    listAccounts(request) {
      fake.record("listAccounts", request)
      if (fake.failWith) {
        throw fake.failWith
      }
      return { accounts: fake.accounts }
    },
    async *watchAccounts(request, context) {
      fake.record("watchAccounts", request)
      if (fake.failWith) {
        throw fake.failWith
      }
      const events: ("changed" | "end")[] = []
      let wake = () => {}
      const unsubscribe = fake.subscribe((event) => {
        events.push(event)
        wake()
      })
      context.signal.addEventListener("abort", () => wake())
      try {
        yield { accounts: fake.accounts }
        while (!context.signal.aborted) {
          if (events.length === 0) {
            await new Promise<void>((resolve) => (wake = resolve))
          }
          const event = events.shift()
          if (event === "end" || context.signal.aborted) {
            return
          }
          if (event === "changed") {
            yield { accounts: fake.accounts }
          }
        }
      } finally {
        unsubscribe()
      }
    },
    getAccount: ({ id }) => ({ account: find(id) }),
    importAccounts(request) {
      fake.record("importAccounts", request)
      const results = request.authJsons.map((text, index) => {
        try {
          const { email, older } = JSON.parse(text) as { email?: string; older?: boolean }
          if (!email) {
            return { index, error: "auth.json has no tokens: expected a Codex CLI auth.json." }
          }
          const existing = fake.accounts.find((a) => a.email === email)
          if (existing && older) {
            // Control keeps stored tokens that are newer than the file's, and says so.
            return { index, account: existing, created: false, tokensKept: true }
          }
          const account = makeAccount({ id: `acc_import_${index}`, email, label: email })
          fake.setAccounts([...fake.accounts, account])
          return { index, account, created: true }
        } catch {
          return { index, error: "Not valid JSON." }
        }
      })
      return { results }
    },
    exportAccount(request) {
      fake.record("exportAccount", request)
      return { authJson: JSON.stringify({ email: find(request.id).email }, null, 2) }
    },
    updateAccount(request) {
      fake.record("updateAccount", request)
      const current = find(request.account?.id ?? "")
      const next = { ...current }
      for (const path of request.updateMask?.paths ?? []) {
        if (path === "label") next.label = request.account?.label
        if (path === "priority") next.priority = request.account?.priority
        if (path === "enabled") {
          next.enabled = request.account?.enabled
          next.state = next.enabled ? Account_State.ACTIVE : Account_State.DISABLED
        }
      }
      return replace(next)
    },
    deleteAccount(request) {
      fake.record("deleteAccount", request)
      find(request.id)
      fake.setAccounts(fake.accounts.filter((a) => a.id !== request.id))
      return {}
    },
    unblockAccount(request) {
      fake.record("unblockAccount", request)
      const account = find(request.id)
      return replace({ ...account, state: Account_State.ACTIVE, blockExpireTime: undefined, blockReason: "" })
    },
    refreshAccountUsage(request) {
      fake.record("refreshAccountUsage", request)
      return { account: find(request.id) }
    },
  })

  router.service(OAuthService, {
    startOAuthFlow(request) {
      fake.record("startOAuthFlow", request)
      const flow = newFlow(fake, OAuthFlow_Kind.BROWSER, request.email, request.renewAccountId)
      flow.authorizeUrl = `https://auth.example.test/oauth/authorize?state=st_${flow.flowId}`
      return { flow }
    },
    startDeviceFlow(request) {
      fake.record("startDeviceFlow", request)
      const flow = newFlow(fake, OAuthFlow_Kind.DEVICE, request.email, request.renewAccountId)
      flow.userCode = "ABCD-1234"
      flow.verificationUrl = "https://auth.example.test/codex/device"
      return { flow }
    },
    getOAuthFlow(request) {
      fake.record("getOAuthFlow", request)
      const flow = fake.flows.get(request.flowId)
      if (!flow) {
        throw new ConnectError(`No sign-in flow with id "${request.flowId}".`, Code.NotFound)
      }
      return { flow }
    },
    completeOAuthFlow(request) {
      fake.record("completeOAuthFlow", request)
      let url: URL
      try {
        url = new URL(request.redirectUrl)
      } catch {
        throw new ConnectError("redirect_url: not a URL; paste the whole address.", Code.InvalidArgument)
      }
      const flow = fake.flows.get(request.flowId)
      if (!flow || url.searchParams.get("state") !== `st_${flow.flowId}`) {
        throw new ConnectError("The URL's state does not match this sign-in.", Code.InvalidArgument)
      }
      if (flow.state !== OAuthFlow_State.PENDING) {
        throw new ConnectError("This sign-in is already completed.", Code.FailedPrecondition)
      }
      const account = completeFlow(fake, flow.flowId, fake.signInAs ?? (flow.email || "new@example.com"))
      return { account, flow: fake.flows.get(flow.flowId) }
    },
    cancelOAuthFlow(request) {
      fake.record("cancelOAuthFlow", request)
      const flow = fake.flows.get(request.flowId)
      if (!flow) {
        throw new ConnectError(`No sign-in flow has id '${request.flowId}'.`, Code.NotFound)
      }
      if (flow.state === OAuthFlow_State.PENDING) {
        fake.flows.set(flow.flowId, { ...flow, state: OAuthFlow_State.CANCELLED })
      }
      return { flow: fake.flows.get(flow.flowId) }
    },
  })

  router.service(ApiKeyService, {
    listApiKeys: (request) => (fake.record("listApiKeys", request), { apiKeys: fake.apiKeys }),
    createApiKey(request) {
      fake.record("createApiKey", request)
      if (fake.apiKeys.some((key) => key.name === request.name)) {
        throw new ConnectError(`An API key named "${request.name}" already exists.`, Code.AlreadyExists)
      }
      const n = fake.apiKeys.length + 1
      const apiKey = create(ApiKeySchema, {
        id: `key_${n}`,
        name: request.name,
        prefix: `mcx_k${n}ab`,
        createTime: timestampFromDate(NOW),
        limits: request.limits,
      })
      fake.apiKeys = [...fake.apiKeys, apiKey]
      return { apiKey, secret: `mcx_k${n}ab_s3cr3t-value-${n}` }
    },
    updateApiKey(request) {
      fake.record("updateApiKey", request)
      const current = fake.apiKeys.find((key) => key.id === request.apiKey?.id)
      if (!current) {
        throw new ConnectError(`No API key has id '${request.apiKey?.id}'.`, Code.NotFound)
      }
      const apiKey = create(ApiKeySchema, {
        id: current.id,
        name: current.name,
        prefix: current.prefix,
        createTime: current.createTime,
        limits: request.apiKey?.limits,
      })
      fake.apiKeys = fake.apiKeys.map((key) => (key.id === apiKey.id ? apiKey : key))
      return { apiKey }
    },
    revokeApiKey(request) {
      fake.record("revokeApiKey", request)
      fake.apiKeys = fake.apiKeys.filter((key) => key.id !== request.id)
      return {}
    },
  })

  registerFakeWebhookServices(router, fake)
  registerFakeWebSocketSessionService(router, fake)

  router.service(UsageService, {
    refreshUsage(request) {
      fake.record("refreshUsage", request)
      return { results: fake.accounts.map((account) => ({ accountId: account.id, account })) }
    },
    listUsageHistory(request) {
      fake.record("listUsageHistory", request)
      return { samples: fake.samples.filter((s) => !request.accountId || s.accountId === request.accountId) }
    },
    listRequests(request) {
      fake.record("listRequests", request)
      const matching = fake.requests.filter(
        (r) =>
          (!request.clientName || r.clientName === request.clientName) &&
          (!request.accountId || r.attempts.some((a) => a.accountId === request.accountId)),
      )
      // The page token is the index of the next page's first request.
      const from = Number(request.pageToken || "0")
      const size = request.pageSize || 50
      const next = from + size < matching.length ? String(from + size) : ""
      return { requests: matching.slice(from, from + size), nextPageToken: next }
    },
    getUsageOverview(request) {
      fake.record("getUsageOverview", request)
      return fake.overview ?? {}
    },
  })
}

function newFlow(fake: FakeControl, kind: OAuthFlow_Kind, email: string, renewAccountId = ""): OAuthFlow {
  if (renewAccountId && !fake.accounts.some((a) => a.id === renewAccountId)) {
    throw new ConnectError(`No account has id '${renewAccountId}'.`, Code.NotFound)
  }
  const flow = create(OAuthFlowSchema, {
    flowId: `flow_${fake.flows.size + 1}`,
    kind,
    state: OAuthFlow_State.PENDING,
    email,
    renewAccountId,
    createTime: timestampFromDate(NOW),
    // Relative to the real clock: the dashboard treats a flow past its expiry as expired.
    expireTime: timestampFromDate(new Date(Date.now() + 15 * 60_000)),
  })
  fake.flows.set(flow.flowId, flow)
  return flow
}

/**
 * Completes a pending flow as Control does once the upstream answered: a new account, or, for a flow that renews
 * an account, that account signed in again (active, its settings kept); the flow COMPLETED.
 */
export function completeFlow(fake: FakeControl, flowId: string, email: string): Account {
  const flow = fake.flows.get(flowId)
  const renewed = flow?.renewAccountId ? fake.accounts.find((a) => a.id === flow.renewAccountId) : undefined
  const account = renewed
    ? { ...renewed, state: Account_State.ACTIVE, reauthReason: "" }
    : makeAccount({ id: `acc_${flowId}`, email, label: email })
  if (flow) {
    fake.flows.set(flowId, { ...flow, state: OAuthFlow_State.COMPLETED, account })
  }
  fake.setAccounts(
    renewed ? fake.accounts.map((a) => (a.id === account.id ? account : a)) : [...fake.accounts, account],
  )
  return account
}

/** Ends a pending flow with FAILED (and the reason) or EXPIRED. */
export function endFlow(fake: FakeControl, flowId: string, state: OAuthFlow_State, error = ""): void {
  const flow = fake.flows.get(flowId)
  if (flow) {
    fake.flows.set(flowId, { ...flow, state, error })
  }
}
