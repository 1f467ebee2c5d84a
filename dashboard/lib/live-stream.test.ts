import { Code, ConnectError } from "@connectrpc/connect"
import { describe, expect, it } from "vitest"

import { runLiveStream, type LiveState, type LiveStreamOptions } from "@/lib/live-stream"

/**
 * A scripted server and a virtual clock: each stream is a list of steps (`msg` delivers a message, `wait` lets
 * virtual time pass while open, `end` ends it cleanly, `fail` throws); sleeping advances the clock and records the
 * wait. When the script runs out the test's controller aborts, as leaving the page does.
 */
function scripted(streams: Step[][], extra: Partial<LiveStreamOptions<number>> = {}) {
  let clock = 0
  const opens: number[] = []
  const sleeps: number[] = []
  const states: LiveState[] = []
  const messages: number[] = []
  const abort = new AbortController()
  let unauthenticated = false
  const run = runLiveStream<number>({
    open: (signal) => {
      opens.push(clock)
      const script = streams.shift()
      if (!script) {
        abort.abort()
        return (async function* () {})()
      }
      return (async function* () {
        for (const step of script) {
          if (signal.aborted) return
          if (step.kind === "msg") yield step.value
          if (step.kind === "wait") clock += step.ms
          if (step.kind === "fail") throw step.error
        }
      })()
    },
    onMessage: (message) => messages.push(message),
    onState: (state) => states.push(state),
    onUnauthenticated: () => (unauthenticated = true),
    signal: abort.signal,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock += ms
    },
    delay: (attempt) => 1_000 * 2 ** attempt,
    healthyAfterMs: 5_000,
    offlineAfterMs: 30_000,
    ...extra,
  })
  return { run, opens, sleeps, states, messages, abort, unauthenticated: () => unauthenticated }
}

type Step = { kind: "msg"; value: number } | { kind: "wait"; ms: number } | { kind: "fail"; error: unknown }
const msg = (value: number): Step => ({ kind: "msg", value })
const wait = (ms: number): Step => ({ kind: "wait", ms })
const fail = (error: unknown = new ConnectError("HTTP 502", Code.Unavailable)): Step => ({
  kind: "fail",
  error,
})

describe("runLiveStream", () => {
  it("reopens a healthy stream that ended at once, without backoff and without leaving live", async () => {
    const t = scripted([
      [msg(1), wait(100_000)],
      [msg(2), wait(100_000)],
    ])
    await t.run.done

    expect(t.messages).toEqual([1, 2])
    expect(t.sleeps).toEqual([])
    expect(t.states.map((s) => s.status)).toEqual(["connecting", "live", "live"])
  })

  it("backs off, doubling, while streams fail or end before they are healthy", async () => {
    const t = scripted([[fail()], [msg(1)], [fail()], [msg(1), wait(4_999)], [fail()]])
    await t.run.done

    expect(t.sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000])
    expect(t.states.filter((s) => s.status === "reconnecting")).toHaveLength(5)
  })

  it("cannot spin: a server that ends every stream right after its first message is retried with growing waits", async () => {
    const t = scripted(Array.from({ length: 8 }, () => [msg(1)]))
    await t.run.done

    // 9 opens (the last finds the script empty) over 255 s of virtual time, not 9 in a row.
    expect(t.opens).toHaveLength(9)
    expect(t.sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000])
  })

  it("starts the backoff over after a healthy stream", async () => {
    const t = scripted([[fail()], [fail()], [msg(1), wait(60_000), fail()], [fail()]])
    await t.run.done

    expect(t.sleeps).toEqual([1_000, 2_000, 1_000])
  })

  it("says offline once it has been failing for a while, and live again when a stream delivers", async () => {
    const t = scripted([[fail()], [fail()], [fail()], [fail()], [fail()], [fail()], [msg(1), wait(10_000)]])
    await t.run.done

    // Failing since t=0; waits 1+2+4+8+16 = 31 s: the sixth failure is past the 30 s mark.
    expect(t.states.map((s) => s.status)).toEqual([
      "connecting",
      "reconnecting",
      "reconnecting",
      "reconnecting",
      "reconnecting",
      "reconnecting",
      "offline",
      "live",
    ])
    expect(t.states[1]?.retryAt).toBe(1_000)
  })

  it("says offline at once while the browser reports no network", async () => {
    const t = scripted([[fail()]], { isOffline: () => true })
    await t.run.done

    expect(t.states.map((s) => s.status)).toEqual(["connecting", "offline"])
  })

  it("stops for a refused token and hands over to the sign-in screen", async () => {
    const t = scripted([[fail(new ConnectError("Wrong x-admin-token", Code.Unauthenticated))], [msg(1)]])
    await t.run.done

    expect(t.unauthenticated()).toBe(true)
    expect(t.opens).toHaveLength(1)
    expect(t.sleeps).toEqual([])
  })

  it("retryNow cuts the backoff short", async () => {
    const abort = new AbortController()
    let opens = 0
    const run = runLiveStream<number>({
      open: () => {
        opens++
        if (opens === 2) abort.abort()
        return (async function* () {
          yield* []
          throw new ConnectError("down", Code.Unavailable)
        })()
      },
      onMessage: () => {},
      onState: () => {},
      onUnauthenticated: () => {},
      signal: abort.signal,
      delay: () => 60_000,
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(opens).toBe(1)

    run.retryNow()
    await run.done
    expect(opens).toBe(2)
  })

  it("closes the open stream and opens no other once stopped", async () => {
    const abort = new AbortController()
    const opened: AbortSignal[] = []
    const run = runLiveStream<number>({
      open: (signal) => {
        opened.push(signal)
        return (async function* () {
          yield 1
          if (!signal.aborted) {
            await new Promise((resolve) => signal.addEventListener("abort", resolve))
          }
        })()
      },
      onMessage: () => abort.abort(),
      onState: () => {},
      onUnauthenticated: () => {},
      signal: abort.signal,
    })
    await run.done

    expect(opened).toHaveLength(1)
    expect(opened[0]?.aborted).toBe(true)
  })
})
