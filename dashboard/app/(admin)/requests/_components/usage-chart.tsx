"use client"

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts"

import { formatPercent } from "@/lib/format"
import { pointsInRange, usageDomain, type UsagePoint } from "@/lib/usage-history"

export const usageLines = [
  { key: "fiveHour", name: "5-hour", color: "var(--chart-1)" },
  { key: "weekly", name: "Weekly", color: "var(--chart-2)" },
] as const

const axisTick = { fontSize: 11, fill: "var(--muted-foreground)" }

/**
 * One account's 5-hour and weekly usage over the chosen range up to now, 0–100%; drawn for sighted users (the card
 * says it in text).
 */
export function UsageChart({ points, now, spanMs }: { points: UsagePoint[]; now: Date; spanMs: number }) {
  const { domain, ticks } = usageDomain(now, spanMs)
  const shown = pointsInRange(points, now, spanMs)
  const tick = (time: number) => formatTick(time, spanMs)

  return (
    <div aria-hidden="true">
      <LineChart
        responsive
        style={{ width: "100%", height: 170 }}
        data={shown}
        margin={{ top: 8, right: 12, bottom: 0, left: -20 }}
        accessibilityLayer={false}
      >
        <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="var(--border)" />
        <XAxis
          dataKey="time"
          type="number"
          scale="time"
          domain={domain}
          allowDataOverflow
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
          contentStyle={{
            borderRadius: 8,
            fontSize: 12,
            borderColor: "var(--border)",
            background: "var(--popover)",
            color: "var(--popover-foreground)",
          }}
        />
        {usageLines.map((line) => (
          <Line
            key={line.key}
            dataKey={line.key}
            name={line.name}
            type="monotone"
            stroke={line.color}
            strokeWidth={2}
            dot={shown.length <= 3 ? { r: 3, fill: line.color } : false}
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
