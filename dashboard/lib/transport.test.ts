import { create } from "@bufbuild/protobuf"
import { createClient, createRouterTransport } from "@connectrpc/connect"
import { describe, expect, it } from "vitest"

import { ADMIN_TOKEN_HEADER } from "@/lib/admin-token"
import { AccountService, GetAccountResponseSchema } from "@/lib/gen/multicodex/control/v1/account_service_pb"
import { adminTokenInterceptor } from "@/lib/transport"

/** A Control whose GetAccount echoes the admin token it received as the account's label. */
function echoTransport(getToken: () => string | null) {
  return createRouterTransport(
    ({ service }) => {
      service(AccountService, {
        getAccount: (_request, context) =>
          create(GetAccountResponseSchema, {
            account: { id: "acc_1", label: context.requestHeader.get(ADMIN_TOKEN_HEADER) ?? "<none>" },
          }),
      })
    },
    { transport: { interceptors: [adminTokenInterceptor(getToken)] } },
  )
}

describe("adminTokenInterceptor", () => {
  it("sends the stored token as x-admin-token", async () => {
    const client = createClient(
      AccountService,
      echoTransport(() => "s3cret"),
    )
    const { account } = await client.getAccount({ id: "acc_1" })
    expect(account?.label).toBe("s3cret")
  })

  it("sends no header when no token is stored", async () => {
    const client = createClient(
      AccountService,
      echoTransport(() => null),
    )
    const { account } = await client.getAccount({ id: "acc_1" })
    expect(account?.label).toBe("<none>")
  })

  it("reads the token on every call, so a new token applies at once", async () => {
    let token = "first"
    const client = createClient(
      AccountService,
      echoTransport(() => token),
    )
    expect((await client.getAccount({})).account?.label).toBe("first")
    token = "second"
    expect((await client.getAccount({})).account?.label).toBe("second")
  })

  it("keeps a token the caller set on the call itself", async () => {
    const client = createClient(
      AccountService,
      echoTransport(() => "stored"),
    )
    const { account } = await client.getAccount({}, { headers: { [ADMIN_TOKEN_HEADER]: "candidate" } })
    expect(account?.label).toBe("candidate")
  })
})

describe("adminTokenInterceptor with an empty header", () => {
  it("sends no token at all, even when one is stored", async () => {
    const client = createClient(
      AccountService,
      echoTransport(() => "stored"),
    )
    const { account } = await client.getAccount({}, { headers: { [ADMIN_TOKEN_HEADER]: "" } })
    expect(account?.label).toBe("<none>")
  })
})
