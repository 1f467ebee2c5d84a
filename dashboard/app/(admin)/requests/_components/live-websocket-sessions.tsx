"use client"

import { useQuery } from "@connectrpc/connect-query"

import { QueryError } from "@/components/query-error"
import { Badge } from "@/components/ui/badge"
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { toDate } from "@/lib/accounts"
import { formatAge } from "@/lib/format"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { listWebSocketSessions } from "@/lib/gen/multicodex/control/v1/websocket_session_service-WebSocketSessionService_connectquery"
import type { WebSocketSession } from "@/lib/gen/multicodex/control/v1/websocket_session_service_pb"
import { accountLabeler, formatCount } from "@/lib/requests"
import { useNow } from "@/lib/use-now"

/**
 * The client WebSockets open on the Edges now (Codex sessions on `GET /v1/responses`): each with its account, key,
 * age and responses. Polled: the Edges report their sockets every few seconds, so a watch stream would add nothing.
 */
export function LiveWebSocketSessions({ refreshMs = 5_000 }: { refreshMs?: number }) {
  const { data, error, isFetching, refetch } = useQuery(
    listWebSocketSessions,
    {},
    { refetchInterval: refreshMs },
  )
  const accounts = useQuery(listAccounts, {})
  const labelOf = accountLabeler(accounts.data?.accounts ?? [])
  const now = useNow(refreshMs)
  const sessions = data?.sessions ?? []

  return (
    <Card className="min-w-0" aria-labelledby="live-websockets-heading" role="region">
      <CardHeader>
        <CardTitle id="live-websockets-heading" className="flex items-center gap-2">
          Live WebSocket sessions
          <Badge variant={sessions.length > 0 ? "success" : "muted"} data-testid="live-websocket-count">
            {sessions.length}
          </Badge>
        </CardTitle>
        <CardDescription>
          Clients connected over the Responses WebSocket, each held on one account.
        </CardDescription>
      </CardHeader>
      <CardContent className="overflow-x-auto">
        {error && !data ? (
          <QueryError error={error} onRetry={() => void refetch()} retrying={isFetching} />
        ) : sessions.length === 0 ? (
          <p className="text-sm text-muted-foreground">No client has a WebSocket open.</p>
        ) : (
          <Table aria-label="Live WebSocket sessions">
            <TableHeader>
              <TableRow>
                <TableHead>Account</TableHead>
                <TableHead>Key</TableHead>
                <TableHead className="text-right">Open for</TableHead>
                <TableHead className="text-right">Responses</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {sessions.map((session) => (
                <SessionRow
                  key={session.id}
                  session={session}
                  label={labelOf(session.accountId, session.accountEmail)}
                  now={now}
                />
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  )
}

function SessionRow({ session, label, now }: { session: WebSocketSession; label: string; now: Date }) {
  const opened = toDate(session.openTime)
  return (
    <TableRow data-testid="live-websocket" data-session-id={session.id}>
      <TableCell className="max-w-56" title={session.accountId || undefined}>
        {session.accountId ? (
          <span className="block truncate">{label}</span>
        ) : (
          <span className="text-muted-foreground" title="No request on this socket yet">
            not chosen yet
          </span>
        )}
        {session.upstreamTransport === "http" ? (
          <span
            className="block text-xs text-muted-foreground"
            title="The upstream refused WebSockets; each turn goes over HTTP"
          >
            upstream over HTTP
          </span>
        ) : null}
      </TableCell>
      <TableCell>
        {session.keyName || (
          <span className="text-muted-foreground" title="Opened while /v1 had no keys">
            no key
          </span>
        )}
      </TableCell>
      <TableCell className="text-right tabular-nums" title={opened?.toISOString()}>
        {opened ? formatAge(now.getTime() - opened.getTime()) : "—"}
      </TableCell>
      <TableCell className="text-right tabular-nums">{formatCount(session.responses)}</TableCell>
    </TableRow>
  )
}
