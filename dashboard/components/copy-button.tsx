"use client"

import { useEffect, useState } from "react"
import { CheckIcon, CopyIcon } from "lucide-react"
import { toast } from "sonner"

import { Button } from "@/components/ui/button"
import { copyText } from "@/lib/clipboard"
import { cn } from "@/lib/utils"

/** A button that copies `value`; `label` names what is copied for screen readers ("Copy the user code"). */
export function CopyButton({
  value,
  label,
  showText = false,
  variant = "outline",
  className,
}: {
  value: string
  label: string
  showText?: boolean
  variant?: "outline" | "ghost" | "default"
  className?: string
}) {
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    if (!copied) {
      return
    }
    const timer = setTimeout(() => setCopied(false), 2_000)
    return () => clearTimeout(timer)
  }, [copied])

  return (
    <Button
      type="button"
      variant={variant}
      size={showText ? "sm" : "icon"}
      className={cn("shrink-0", className)}
      aria-label={label}
      title={label}
      onClick={async () => {
        if (await copyText(value)) {
          setCopied(true)
        } else {
          toast.error("Could not copy: select the text and copy it by hand.")
        }
      }}
    >
      {copied ? <CheckIcon className="text-success" /> : <CopyIcon />}
      {showText ? (copied ? "Copied" : "Copy") : null}
      <span className="sr-only" aria-live="polite">
        {copied ? "Copied" : ""}
      </span>
    </Button>
  )
}
