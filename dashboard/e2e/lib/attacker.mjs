// A web page on another origin that attacks the front door from the operator's own browser: it is served by a
// tiny server on its own loopback port (another origin, the same site), and its script tries everything a page may
// do without the operator noticing. The test reads what the script could see from `window.attack`.
import { createServer } from "node:http"

/** The page's script, run against `target` (the front door) for the account `accountId`. */
const script = (target, accountId) => `
  const target = ${JSON.stringify(target)}
  const accountId = ${JSON.stringify(accountId)}
  const results = {}
  async function attempt(name, run) {
    try {
      results[name] = await run()
    } catch (error) {
      results[name] = { blocked: String(error) }
    }
  }
  async function read(response) {
    return { status: response.status, type: response.type, body: await response.text().catch(() => "") }
  }
  window.attack = (async () => {
    // Simple requests: no preflight, the browser sends them whatever the answer is (the page cannot read it).
    await attempt("no-cors form-typed JSON creates a key", async () => read(await fetch(target + "/admin/api-keys",
      { method: "POST", mode: "no-cors", headers: { "content-type": "application/x-www-form-urlencoded" }, body: JSON.stringify({ name: "stolen-form-typed" }) })))
    await attempt("no-cors untyped body creates a key", async () => read(await fetch(target + "/admin/api-keys",
      { method: "POST", mode: "no-cors", body: new Blob([JSON.stringify({ name: "stolen-untyped" })]) })))
    await attempt("no-cors text post creates a key", async () => read(await fetch(target + "/admin/api-keys",
      { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: JSON.stringify({ name: "stolen-text" }) })))
    await attempt("no-cors form post adds an account", async () => read(await fetch(target + "/admin/accounts",
      { method: "POST", mode: "no-cors", headers: { "content-type": "application/x-www-form-urlencoded" }, body: JSON.stringify({ tokens: {} }) })))
    await attempt("no-cors unblock", async () => read(await fetch(target + "/admin/accounts/" + accountId + "/unblock", { method: "POST", mode: "no-cors" })))
    // Reads: the page would need the answer.
    await attempt("cors read of the account list", async () => read(await fetch(target + "/admin/accounts")))
    await attempt("cors read of the export", async () => read(await fetch(target + "/admin/accounts/" + accountId + "/export")))
    await attempt("cors read of the metrics", async () => read(await fetch(target + "/metrics")))
    await attempt("gRPC-Web call creates a key", async () => read(await fetch(target + "/multicodex.control.v1.ApiKeyService/CreateApiKey",
      { method: "POST", headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" }, body: new Uint8Array([0, 0, 0, 0, 8, 10, 6, 115, 116, 111, 108, 101, 110]) })))
    // An HTML form posted into a hidden frame (the classic CSRF).
    await attempt("html form post creates a key", () => new Promise((resolve) => {
      const frame = document.createElement("iframe")
      frame.name = "sink"
      frame.style.display = "none"
      document.body.append(frame)
      const form = document.createElement("form")
      form.method = "POST"
      form.action = target + "/admin/api-keys"
      form.enctype = "text/plain"
      form.target = "sink"
      const field = document.createElement("input")
      field.name = '{"name":"stolen-form","x":"'
      field.value = '"}'
      form.append(field)
      document.body.append(form)
      frame.addEventListener("load", () => resolve({ submitted: true }), { once: true })
      form.submit()
      setTimeout(() => resolve({ submitted: "no load event" }), 5000)
    }))
    return results
  })()
`

/** The rebinding page: served as if from the attacker's name, which now resolves to the front door. */
export function rebindingPage(accountId) {
  return `<!doctype html><title>rebind</title><body><script>
    const accountId = ${JSON.stringify(accountId)}
    async function read(path, init) {
      try {
        const response = await fetch(path, init)
        return { status: response.status, body: await response.text() }
      } catch (error) {
        return { blocked: String(error) }
      }
    }
    window.attack = (async () => ({
      export: await read("/admin/accounts/" + accountId + "/export"),
      list: await read("/admin/accounts"),
      createKey: await read("/admin/api-keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "rebound" }) }),
    }))()
  </script></body>`
}

/** Starts the attacker's server on `port`; `stop()` closes it. */
export function startAttacker(port) {
  const server = createServer((request, response) => {
    const url = new URL(request.url, `http://127.0.0.1:${port}`)
    if (url.pathname === "/attack") {
      response.writeHead(200, { "content-type": "text/html" })
      response.end(
        `<!doctype html><title>free prizes</title><body><script>${script(url.searchParams.get("target"), url.searchParams.get("account"))}</script></body>`,
      )
    } else if (url.pathname === "/frame") {
      response.writeHead(200, { "content-type": "text/html" })
      response.end(
        `<!doctype html><title>frame</title><body><iframe id="victim" src="${url.searchParams.get("target")}/accounts" width="800" height="600"></iframe></body>`,
      )
    } else {
      response.writeHead(404).end()
    }
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${port}`, stop: () => new Promise((done) => server.close(done)) }),
    )
  })
}
