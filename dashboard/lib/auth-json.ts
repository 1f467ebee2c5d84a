/**
 * Splits pasted text into the auth.json files it holds: a JSON array of them, or several objects one after
 * another (separated by blank lines or commas). What the export route returns, `{"authJson": "<file>"}`, counts as
 * the file inside it, so an export pastes back as it is. Text that is none of these is returned whole, so that the
 * server explains what is wrong with it.
 */
export function splitAuthJsons(text: string): string[] {
  const trimmed = text.trim()
  if (!trimmed) {
    return []
  }
  try {
    const value: unknown = JSON.parse(trimmed)
    return Array.isArray(value)
      ? value.map((item) => unwrap(item) ?? JSON.stringify(item, null, 2))
      : [unwrap(value) ?? trimmed]
  } catch {
    // Not one JSON value: maybe several objects in a row.
  }
  const parts: string[] = []
  let depth = 0
  let start = -1
  let inString = false
  let escaped = false
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed.charAt(i)
    if (inString) {
      if (escaped) {
        escaped = false
      } else if (c === "\\") {
        escaped = true
      } else if (c === '"') {
        inString = false
      }
    } else if (c === '"') {
      inString = true
    } else if (c === "{") {
      if (depth === 0) {
        start = i
      }
      depth++
    } else if (c === "}") {
      depth--
      if (depth === 0) {
        parts.push(unwrapText(trimmed.slice(start, i + 1)))
      } else if (depth < 0) {
        return [trimmed]
      }
    } else if (depth === 0 && !/[\s,]/.test(c)) {
      return [trimmed]
    }
  }
  return depth === 0 && parts.length > 0 ? parts : [trimmed]
}

/** The file text inside an export answer (`{"authJson": "…"}`), or undefined for anything else. */
function unwrap(value: unknown): string | undefined {
  if (value && typeof value === "object" && !Array.isArray(value) && !("tokens" in value)) {
    const inner = (value as Record<string, unknown>).authJson
    return typeof inner === "string" && inner.trim() ? inner : undefined
  }
  return undefined
}

function unwrapText(text: string): string {
  try {
    return unwrap(JSON.parse(text)) ?? text
  } catch {
    return text
  }
}
