import { create } from "@bufbuild/protobuf"
import { Code, ConnectError, createRouterTransport, type Transport } from "@connectrpc/connect"

import { ADMIN_TOKEN_HEADER, readAdminToken } from "@/lib/admin-token"
import type { Account } from "@/lib/gen/multicodex/control/v1/account_pb"
import {
  AccountService,
  ListAccountsResponseSchema,
} from "@/lib/gen/multicodex/control/v1/account_service_pb"
import { adminTokenInterceptor } from "@/lib/transport"

export interface FakeControlOptions {
  accounts?: Account[]
  /** Like Control's ADMIN_TOKEN: when set, calls must carry it. */
  adminToken?: string
  /** Makes ListAccounts fail with this error instead. */
  failWith?: ConnectError
}

/**
 * An in-memory Control for component tests: the generated AccountService served by connect's router,
 * behind the dashboard's real admin-token interceptor, answering UNAUTHENTICATED in Control's words.
 */
export function createFakeControl({
  accounts = [],
  adminToken,
  failWith,
}: FakeControlOptions = {}): Transport {
  return createRouterTransport(
    ({ service }) => {
      service(AccountService, {
        listAccounts(_request, context) {
          if (adminToken !== undefined) {
            const presented = context.requestHeader.get(ADMIN_TOKEN_HEADER)
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
          if (failWith) {
            throw failWith
          }
          return create(ListAccountsResponseSchema, { accounts })
        },
      })
    },
    { transport: { interceptors: [adminTokenInterceptor(readAdminToken)] } },
  )
}
