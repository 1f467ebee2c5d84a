import { CheckCircle2Icon, ShieldCheckIcon, XCircleIcon } from "lucide-react"

import { planLabel } from "@/lib/accounts"
import type { ImportAccountResult } from "@/lib/gen/multicodex/control/v1/account_service_pb"

export interface ImportedFile {
  name: string
  text: string
}

/**
 * One line per imported file: the account it added or updated, that it left alone because its stored tokens are
 * newer than the file's, or why it was refused.
 */
export function ImportResults({ names, results }: { names: string[]; results: ImportAccountResult[] }) {
  const added = results.filter((result) => result.account).length
  return (
    <section className="grid gap-2" aria-label="Import results">
      <p className="text-sm font-medium" role="status">
        {added} of {results.length} imported
      </p>
      <ul className="grid divide-y rounded-lg border">
        {results.map((result) => (
          <li
            key={result.index}
            className="flex items-start gap-3 px-3 py-2 text-sm"
            data-testid="import-result"
          >
            {result.account && result.tokensKept ? (
              <ShieldCheckIcon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-label="Kept" />
            ) : result.account ? (
              <CheckCircle2Icon className="mt-0.5 size-4 shrink-0 text-success" aria-label="Imported" />
            ) : (
              <XCircleIcon className="mt-0.5 size-4 shrink-0 text-destructive" aria-label="Failed" />
            )}
            <div className="grid min-w-0 gap-0.5">
              <span className="truncate font-medium">
                {names[result.index] ?? `File #${result.index + 1}`}
              </span>
              {result.account && result.tokensKept ? (
                <span className="text-muted-foreground">
                  Kept the tokens {result.account.email} already has: they are newer than this file&apos;s, so
                  nothing was changed.
                </span>
              ) : result.account ? (
                <span className="text-muted-foreground">
                  {result.created ? "Added" : "Updated"} {result.account.email} (
                  {planLabel(result.account.planType)})
                </span>
              ) : (
                <span className="text-destructive">{result.error}</span>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
