"use client"

import { useId, useState } from "react"
import { useMutation, useTransport } from "@connectrpc/connect-query"
import { useQueryClient } from "@tanstack/react-query"
import { Loader2Icon, UploadIcon } from "lucide-react"

import { Button } from "@/components/ui/button"
import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { Textarea } from "@/components/ui/textarea"
import { upsertAccount } from "@/lib/accounts-cache"
import { splitAuthJsons } from "@/lib/auth-json"
import { importAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"

import { ErrorNote } from "./error-note"
import { ImportResults, type ImportedFile } from "./import-results"

/** Imports Codex CLI auth.json files, pasted (one or several) or picked, and shows a result per file. */
export function ImportAuthJson() {
  const id = useId()
  const transport = useTransport()
  const queryClient = useQueryClient()
  const [text, setText] = useState("")
  const [files, setFiles] = useState<File[]>([])
  const [sent, setSent] = useState<string[]>([])
  const run = useMutation(importAccounts, {
    onSuccess: ({ results }) => {
      for (const result of results) {
        if (result.account) {
          upsertAccount(queryClient, transport, result.account)
        }
      }
    },
  })
  const pasted = splitAuthJsons(text)
  const count = pasted.length + files.length

  const submit = async () => {
    const picked = await Promise.all(
      files.map(async (file) => ({ name: file.name, text: await file.text() })),
    )
    const entries: ImportedFile[] = [
      ...pasted.map((part, i) => ({
        name: pasted.length > 1 ? `Pasted text #${i + 1}` : "Pasted text",
        text: part,
      })),
      ...picked,
    ]
    setSent(entries.map((entry) => entry.name))
    run.mutate({ authJsons: entries.map((entry) => entry.text) })
  }

  return (
    <form
      className="grid gap-4"
      onSubmit={(event) => {
        event.preventDefault()
        void submit()
      }}
    >
      <div className="grid gap-2">
        <Label htmlFor={`${id}-text`}>auth.json contents</Label>
        <Textarea
          id={`${id}-text`}
          className="max-h-72 min-h-32 font-mono text-xs"
          placeholder={'{\n  "tokens": { "id_token": "…", "access_token": "…", "refresh_token": "…" }\n}'}
          spellCheck={false}
          value={text}
          aria-describedby={`${id}-text-hint`}
          onChange={(event) => setText(event.target.value)}
        />
        <p id={`${id}-text-hint`} className="text-xs text-muted-foreground">
          The file the Codex CLI writes to ~/.codex/auth.json. Paste several one after another, or a JSON
          array.
        </p>
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-files`}>Or choose files</Label>
        <Input
          id={`${id}-files`}
          type="file"
          multiple
          accept=".json,application/json"
          className="h-auto py-1.5"
          onChange={(event) => setFiles(Array.from(event.target.files ?? []))}
        />
      </div>
      <Button type="submit" className="w-fit" disabled={count === 0 || run.isPending}>
        {run.isPending ? <Loader2Icon className="animate-spin" /> : <UploadIcon />}
        {count > 1 ? `Import ${count} files` : "Import"}
      </Button>
      <ErrorNote error={run.error} />
      {run.data ? <ImportResults names={sent} results={run.data.results} /> : null}
    </form>
  )
}
