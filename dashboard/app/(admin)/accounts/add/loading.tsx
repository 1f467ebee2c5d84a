import { Skeleton } from "@/components/ui/skeleton"

export default function Loading() {
  return (
    <div className="grid gap-4" aria-busy="true" aria-label="Loading">
      <Skeleton className="h-8 w-64" />
      <Skeleton className="h-9 w-96 max-w-full" />
      <Skeleton className="h-80 max-w-3xl" />
    </div>
  )
}
