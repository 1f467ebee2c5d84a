"use client"

import { useId } from "react"
import { useQuery } from "@connectrpc/connect-query"

import { Input } from "@/components/ui/input"
import { Label } from "@/components/ui/label"
import { accountTitle } from "@/lib/accounts"
import { listAccounts } from "@/lib/gen/multicodex/control/v1/account_service-AccountService_connectquery"
import { BUDGET_FIELDS, type LimitsFormValues } from "@/lib/key-limits"

/**
 * A key's limits as inputs, controlled by the caller (the create form and the edit dialog): expiry, allowed models,
 * requests at once, the six budgets (calendar windows in UTC) and the accounts the key may use. Empty: no limit.
 */
export function LimitsFields({
  values,
  errors,
  onChange,
}: {
  values: LimitsFormValues
  errors: Record<string, string>
  onChange: (values: LimitsFormValues) => void
}) {
  const id = useId()
  const accounts = useQuery(listAccounts, {})
  const set = (patch: Partial<LimitsFormValues>) => onChange({ ...values, ...patch })
  const invalid = (name: string) => (errors[name] ? true : undefined)

  return (
    <div className="grid gap-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="grid gap-2">
          <Label htmlFor={`${id}-expires`}>Expires</Label>
          <Input
            id={`${id}-expires`}
            type="datetime-local"
            value={values.expires}
            aria-invalid={invalid("expires")}
            onChange={(event) => set({ expires: event.target.value })}
          />
        </div>
        <div className="grid gap-2">
          <Label htmlFor={`${id}-concurrent`}>At most at once</Label>
          <Input
            id={`${id}-concurrent`}
            inputMode="numeric"
            placeholder="no limit"
            value={values.maxConcurrent}
            aria-invalid={invalid("maxConcurrent")}
            onChange={(event) => set({ maxConcurrent: event.target.value })}
          />
        </div>
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-models`}>Allowed models</Label>
        <Input
          id={`${id}-models`}
          placeholder="any model; e.g. gpt-5.5, gpt-5*"
          value={values.models}
          aria-describedby={`${id}-models-hint`}
          onChange={(event) => set({ models: event.target.value })}
        />
        <p id={`${id}-models-hint`} className="text-xs text-muted-foreground">
          Separate with commas; an entry ending in * allows every model that starts with it.
        </p>
      </div>
      <fieldset className="grid gap-2">
        <legend className="mb-2 text-sm font-medium">
          Budgets (calendar day, week from Monday, month; UTC)
        </legend>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {BUDGET_FIELDS.map(({ field, label }) => (
            <div key={field} className="grid gap-1">
              <Label htmlFor={`${id}-${field}`} className="text-xs text-muted-foreground">
                {label}
              </Label>
              <Input
                id={`${id}-${field}`}
                inputMode="numeric"
                placeholder="no limit"
                value={values.budgets[field]}
                aria-invalid={invalid(field)}
                onChange={(event) => set({ budgets: { ...values.budgets, [field]: event.target.value } })}
              />
            </div>
          ))}
        </div>
      </fieldset>
      {accounts.data && accounts.data.accounts.length > 0 ? (
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm font-medium">Accounts it may use (none chosen: any)</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {accounts.data.accounts.map((account) => (
              <label key={account.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  className="size-4 accent-primary"
                  checked={values.accountIds.includes(account.id)}
                  onChange={(event) =>
                    set({
                      accountIds: event.target.checked
                        ? [...values.accountIds, account.id]
                        : values.accountIds.filter((a) => a !== account.id),
                    })
                  }
                />
                {accountTitle(account)}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      {Object.keys(errors).length > 0 ? (
        <ul role="alert" className="text-sm text-destructive">
          {Object.entries(errors).map(([name, message]) => (
            <li key={name}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
