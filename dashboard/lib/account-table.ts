import { accountTitle, effectiveUsedPercent, isBlocked, planLabel, toDate } from "@/lib/accounts"
import { Account_State, type Account, type UsageWindow } from "@/lib/gen/multicodex/control/v1/account_pb"
import { isUsable } from "@/lib/pool-health"

/** The table's sortable columns. */
export type SortKey = "account" | "state" | "plan" | "priority" | "fiveHour" | "weekly" | "lastUsed"

export interface Sort {
  key: SortKey
  direction: "asc" | "desc"
}

/** Which accounts to show, by where they stand. */
export type StateFilter = "all" | "usable" | "blocked" | "reauth" | "disabled"

export interface AccountFilter {
  /** Matched against label, email, plan and id, case-insensitively. */
  text: string
  state: StateFilter
}

export const stateFilters: { value: StateFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "usable", label: "Usable" },
  { value: "blocked", label: "Blocked" },
  { value: "reauth", label: "Re-auth required" },
  { value: "disabled", label: "Disabled" },
]

/** Where an account stands, as the state filter and the state column's order see it. */
export function standing(account: Account, now: Date): Exclude<StateFilter, "all"> {
  if (account.enabled === false || account.state === Account_State.DISABLED) {
    return "disabled"
  }
  if (account.state === Account_State.REAUTH_REQUIRED) {
    return "reauth"
  }
  return isBlocked(account, now) ? "blocked" : "usable"
}

export function filterAccounts(accounts: Account[], { text, state }: AccountFilter, now: Date): Account[] {
  const needle = text.trim().toLowerCase()
  return accounts.filter((account) => {
    if (state !== "all" && standing(account, now) !== state) {
      return false
    }
    if (!needle) {
      return true
    }
    return [accountTitle(account), account.email, planLabel(account.planType), account.id].some((field) =>
      field.toLowerCase().includes(needle),
    )
  })
}

const standingOrder: Record<Exclude<StateFilter, "all">, number> = {
  usable: 0,
  blocked: 1,
  reauth: 2,
  disabled: 3,
}

/**
 * Sorts a copy. Accounts without a value for the column (no usage yet, never used) go last in both directions;
 * ties keep the list's order (the order accounts were added).
 */
export function sortAccounts(accounts: Account[], { key, direction }: Sort, now: Date): Account[] {
  const valueOf = (account: Account): number | string | undefined => {
    switch (key) {
      case "account":
        return accountTitle(account).toLowerCase()
      case "state":
        // Within blocked, the one that frees up first comes first.
        return standingOrder[standing(account, now)] * 1e15 + (isUsable(account, now) ? 0 : blockEnd(account))
      case "plan":
        return planLabel(account.planType).toLowerCase()
      case "priority":
        return account.priority ?? 0
      case "fiveHour":
        return used(account.usage?.fiveHour, now)
      case "weekly":
        return used(account.usage?.weekly, now)
      case "lastUsed":
        return toDate(account.lastUsedTime)?.getTime()
    }
  }
  const sign = direction === "asc" ? 1 : -1
  return accounts
    .map((account, index) => ({ account, index, value: valueOf(account) }))
    .sort((a, b) => {
      if (a.value === undefined || b.value === undefined) {
        return a.value === b.value ? a.index - b.index : a.value === undefined ? 1 : -1
      }
      const order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0
      return order === 0 ? a.index - b.index : order * sign
    })
    .map(({ account }) => account)
}

function used(window: UsageWindow | undefined, now: Date): number | undefined {
  return window ? effectiveUsedPercent(window, now) : undefined
}

function blockEnd(account: Account): number {
  return Math.min(toDate(account.blockExpireTime)?.getTime() ?? 9e14, 9e14)
}
