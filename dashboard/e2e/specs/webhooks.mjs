// Webhooks from the dashboard to a real receiver: the test runs a small HTTP server on a free loopback port, adds
// a webhook for it in the dashboard (the secret is shown once), sends a test event from the webhook's page, checks
// that it arrived signed as README says, and sees the attempt in the delivery log.
import assert from "node:assert/strict"
import { createHmac, timingSafeEqual } from "node:crypto"
import { createServer } from "node:http"

import { openSignedIn, until } from "../lib/ui.mjs"

/** Records every POST (path, headers, raw body) and answers 200. */
async function startReceiver() {
  const received = []
  const server = createServer((request, response) => {
    const chunks = []
    request.on("data", (chunk) => chunks.push(chunk))
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) })
      response.writeHead(200).end()
    })
  })
  await new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", resolve)
  })
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/multicodex`,
    received,
    close: () =>
      new Promise((resolve) => {
        // Control keeps its connection open for the next delivery; close it too, or close() waits for it.
        server.closeAllConnections()
        server.close(resolve)
      }),
  }
}

/** README's verification: HMAC-SHA256 keyed with the secret over "<t>.<raw body>", compared in constant time. */
function verify(secret, signature, body) {
  const fields = Object.fromEntries(signature.split(",").map((part) => part.split("=", 2)))
  const expected = createHmac("sha256", secret).update(`${fields.t}.`).update(body).digest()
  const given = Buffer.from(fields.v1 ?? "", "hex")
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export const tests = [
  {
    name: "a webhook added in the dashboard gets a signed test event, and its delivery log shows it",
    async run({ page, stack, screenshot }) {
      const receiver = await startReceiver()
      try {
        await openSignedIn(page, stack, "/webhooks")
        await page.getByText("No webhooks yet").waitFor()
        await page.getByRole("button", { name: "Add webhook" }).click()
        const form = page.getByRole("dialog", { name: "Add webhook" })
        await form.getByLabel("URL").fill(receiver.url)
        await form.getByLabel("Description").fill("e2e receiver")
        await form.getByRole("checkbox", { name: "Pool exhausted" }).check()
        await screenshot("webhooks-add")
        await form.getByRole("button", { name: "Add webhook" }).click()

        const shown = page.getByRole("dialog", { name: "Webhook created" })
        const secret = await shown.getByRole("textbox", { name: "Webhook signing secret" }).inputValue()
        assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/)
        await screenshot("webhook-secret")
        await shown.getByRole("button", { name: "Done" }).click()
        await shown.waitFor({ state: "detached" })
        assert.ok(!(await page.content()).includes(secret), "the secret is gone from the page once closed")

        const row = page.getByTestId("webhook-row").filter({ hasText: receiver.url })
        await row.getByText("Pool exhausted").waitFor()
        await screenshot("webhooks")
        await row.getByRole("link", { name: receiver.url }).click()
        await page.getByTestId("webhook-url").filter({ hasText: receiver.url }).waitFor()
        await page.getByText("No deliveries yet").waitFor()

        // The webhook wants only "Pool exhausted"; a test event goes anyway.
        await page.getByRole("button", { name: "Send test event" }).click()
        const delivery = await until("the receiver to get the test event", () => receiver.received[0])
        const signature = delivery.headers["x-multicodex-signature"] ?? ""
        assert.equal(delivery.headers["x-multicodex-event"], "TYPE_WEBHOOK_TEST")
        assert.ok(
          verify(secret, signature, delivery.body),
          `the signature verifies with the secret: ${signature}`,
        )
        assert.ok(!verify(`${secret}x`, signature, delivery.body), "and not with another secret")
        const event = JSON.parse(delivery.body.toString("utf8"))
        assert.equal(event.type, "TYPE_WEBHOOK_TEST")
        assert.match(event.summary, /Test event from MultiCodex/)

        const logged = page.getByTestId("delivery-attempt").filter({ hasText: event.id })
        await logged.getByText("Delivered (200)").waitFor()
        assert.equal(delivery.headers["x-multicodex-delivery"]?.startsWith("dlv_"), true)
        await screenshot("webhook-delivery-log")
      } finally {
        await receiver.close()
      }
    },
  },
]
