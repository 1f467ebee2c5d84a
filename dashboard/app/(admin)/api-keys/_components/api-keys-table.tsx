"use client"

import { Card } from "@/components/ui/card"
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table"
import { toDate } from "@/lib/accounts"
import { formatDateTime, formatRelativeTime, withEllipsis } from "@/lib/format"
import type { ApiKey } from "@/lib/gen/multicodex/control/v1/api_key_service_pb"
import { useNow } from "@/lib/use-now"

import { RevokeKeyButton } from "./revoke-key-button"

/** The keys: name, the secret's first characters (to recognise it), when it was made, and Revoke. */
export function ApiKeysTable({ keys }: { keys: ApiKey[] }) {
  const now = useNow()
  return (
    <Card className="py-0">
      <Table aria-label="API keys">
        <TableHeader>
          <TableRow>
            <TableHead className="pl-4">Name</TableHead>
            <TableHead>Key</TableHead>
            <TableHead>Created</TableHead>
            <TableHead className="pr-4 text-right">
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {keys.map((key) => {
            const created = toDate(key.createTime)
            return (
              <TableRow key={key.id} data-testid="api-key-row">
                <TableCell className="pl-4 font-medium">{key.name}</TableCell>
                <TableCell>
                  <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs">
                    {withEllipsis(key.prefix)}
                  </code>
                </TableCell>
                <TableCell
                  className="text-muted-foreground"
                  title={created ? formatDateTime(created, now) : undefined}
                >
                  {created ? formatRelativeTime(created, now) : "—"}
                </TableCell>
                <TableCell className="pr-4 text-right">
                  <RevokeKeyButton apiKey={key} />
                </TableCell>
              </TableRow>
            )
          })}
        </TableBody>
      </Table>
    </Card>
  )
}
