import type { Interceptor, Transport } from "@connectrpc/connect"
import { createGrpcWebTransport } from "@connectrpc/connect-web"
import { ADMIN_TOKEN_HEADER } from "@/lib/admin-token"

/**
 * Adds the admin token to every call as `x-admin-token`, read at call time so that a token entered
 * or changed later applies to the next call. A call that already carries the header keeps its own (the
 * sign-in form checks a candidate token that way before storing it); an empty one means "send no token" (the
 * check for an admin API open to anyone uses it).
 */
export function adminTokenInterceptor(getToken: () => string | null): Interceptor {
  return (next) => async (req) => {
    if (req.header.get(ADMIN_TOKEN_HEADER) === "") {
      req.header.delete(ADMIN_TOKEN_HEADER)
    } else if (!req.header.has(ADMIN_TOKEN_HEADER)) {
      const token = getToken()
      if (token) {
        req.header.set(ADMIN_TOKEN_HEADER, token)
      }
    }
    return next(req)
  }
}

export interface ControlTransportOptions {
  /** Where the Edge (the front door) answers; the dashboard is served from it, so normally `window.location.origin`. */
  baseUrl: string
  /** Returns the admin token to send, or null to send none. */
  getToken: () => string | null
  /** For tests; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch
}

/**
 * The transport to Control: gRPC-Web (ASP.NET Core does not speak the Connect protocol), binary, through
 * the Edge, which forwards every `application/grpc*` request to Control. Same origin, so no CORS.
 */
export function createControlTransport({ baseUrl, getToken, fetch }: ControlTransportOptions): Transport {
  return createGrpcWebTransport({
    baseUrl,
    useBinaryFormat: true,
    interceptors: [adminTokenInterceptor(getToken)],
    fetch,
  })
}
