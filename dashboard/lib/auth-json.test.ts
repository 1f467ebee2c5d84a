import { describe, expect, it } from "vitest"

import { splitAuthJsons } from "@/lib/auth-json"

describe("splitAuthJsons", () => {
  it("returns nothing for blank text", () => {
    expect(splitAuthJsons("  \n ")).toEqual([])
  })

  it("keeps one object whole", () => {
    expect(splitAuthJsons(' {"tokens": {"id_token": "a"}} ')).toEqual(['{"tokens": {"id_token": "a"}}'])
  })

  it("splits several objects separated by blank lines or commas", () => {
    const text = '{"a": 1}\n\n{"b": {"c": "}{"}},\n{"d": "\\"{"}'
    expect(splitAuthJsons(text)).toEqual(['{"a": 1}', '{"b": {"c": "}{"}}', '{"d": "\\"{"}'])
  })

  it("splits a JSON array into its items", () => {
    expect(splitAuthJsons('[{"a":1},{"b":2}]').map((part) => JSON.parse(part))).toEqual([{ a: 1 }, { b: 2 }])
  })

  it("returns text that is not JSON objects whole, for the server to explain", () => {
    expect(splitAuthJsons("not json")).toEqual(["not json"])
    expect(splitAuthJsons('{"a": 1} trailing')).toEqual(['{"a": 1} trailing'])
    expect(splitAuthJsons('{"a": {')).toEqual(['{"a": {'])
  })

  it("takes the file out of what the export route returns, alone, in an array or in a row", () => {
    const file = '{\n  "tokens": {\n    "refresh_token": "rt"\n  }\n}'
    const exported = JSON.stringify({ authJson: file })
    expect(splitAuthJsons(exported)).toEqual([file])
    expect(splitAuthJsons(`[${exported}, ${exported}]`)).toEqual([file, file])
    expect(splitAuthJsons(`${exported}\n\n{"tokens": {}}`)).toEqual([file, '{"tokens": {}}'])
  })
})
