import Link from "next/link"
import { FileQuestionIcon } from "lucide-react"

import { EmptyState } from "@/components/empty-state"
import { Button } from "@/components/ui/button"

export default function NotFound() {
  return (
    <div className="flex min-h-svh items-center justify-center p-6">
      <EmptyState icon={FileQuestionIcon} title="Page not found" className="w-full max-w-lg">
        <p>There is nothing at this address.</p>
        <Button asChild variant="outline" size="sm" className="mt-4">
          <Link href="/accounts">Go to Accounts</Link>
        </Button>
      </EmptyState>
    </div>
  )
}
