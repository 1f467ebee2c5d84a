import { cn } from "@/lib/utils"

/** A numbered step of a sign-in; dimmed until the step before it is done. */
export function Step({
  n,
  title,
  disabled = false,
  children,
}: {
  n: number
  title: string
  disabled?: boolean
  children: React.ReactNode
}) {
  return (
    <li className={cn("grid grid-cols-[1.75rem_1fr] gap-x-3 gap-y-2", disabled && "opacity-60")}>
      <span
        className="flex size-7 items-center justify-center rounded-full border bg-muted text-xs font-semibold"
        aria-hidden="true"
      >
        {n}
      </span>
      <h3 className="self-center text-sm font-semibold">
        <span className="sr-only">Step {n}: </span>
        {title}
      </h3>
      <div className="col-start-2 grid min-w-0 gap-2">{children}</div>
    </li>
  )
}
