import { AccountsSkeleton } from "./_components/accounts-skeleton"

export default function Loading() {
  return <AccountsSkeleton />
}
