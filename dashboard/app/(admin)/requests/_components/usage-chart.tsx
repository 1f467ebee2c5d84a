"use client"

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts"

import { formatPercent } from "@/lib/format"
import { usageDomain, type UsagePoint } from "@/lib/usage-history"

export const usageLines = [
  { key: "fiveHour", name: "5-hour", color: "var(--chart-1)" },
  { key: "weekly", name: "Weekly", color: "var(--chart-2)" },
] as const

const axisTick = { fontSize: 11, fill: "var(--muted-foreground)" }

/** One account's 5-hour and weekly usage over time, 0–100%; drawn for sighted users (the card says it in text). */
export function UsageChart({ points, now }: { points: UsagePoint[]; now: Date }) {
  const { domain, ticks } = usageDomain(points, now)
  const tick = (time: number) => formatTick(time, domain[1] - domain[0])

  return (
    <div aria-hidden="true">
      <LineChart
        responsive
        style={{ width: "100%", height: 170 }}
        data={points}
        margin={{ top: 8, right: 12, bottom: 0, left: -20 }}
        accessibilityLayer={false}
      >
        <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis
          dataKey="time"
          type="number"
          scale="time"
          domain={domain}
          ticks={ticks}
          tickFormatter={tick}
          tick={axisTick}
          tickLine={false}
          axisLine={false}
        />
        <YAxis
          domain={[0, 100]}
          ticks={[0, 50, 100]}
          tickFormatter={(value: number) => `${value}%`}
          tick={axisTick}
          tickLine={false}
          axisLine={false}
        />
        <Tooltip
          labelFormatter={(time) => new Date(Number(time)).toLocaleString()}
          formatter={(value) => formatPercent(Number(value))}
          contentStyle={{ borderRadius: 8, fontSize: 12, borderColor: "var(--border)" }}
        />
        {usageLines.map((line) => (
          <Line
            key={line.key}
            dataKey={line.key}
            name={line.name}
            type="monotone"
            stroke={line.color}
            strokeWidth={2}
            dot={points.length <= 3 ? { r: 3, fill: line.color } : false}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </div>
  )
}

function formatTick(time: number, span: number): string {
  const date = new Date(time)
  if (span > 36 * 3_600_000) {
    return date.toLocaleDateString(undefined, { month: "short", day: "numeric" })
  }
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
}
